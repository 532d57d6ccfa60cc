import { Module } from '@nestjs/common';
import { AnalyticsController } from './analytics.controller.js';

/** GET /api/analytics/effect and /api/analytics/attribution: proof of effect, fleet-wide, scope analytics:read. */
@Module({ controllers: [AnalyticsController] })
export class AnalyticsModule {}

import { Module } from '@nestjs/common';
import { SchedulerRunsController } from './runs.controller.js';

/**
 * The scheduler's runs for service tokens (GET /api/ops/runs). Reads the scheduler_runs read
 * model only: the scheduler itself runs in the worker (apps/runtime startScheduler).
 */
@Module({ controllers: [SchedulerRunsController] })
export class SchedulerModule {}

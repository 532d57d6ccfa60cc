import { Module } from '@nestjs/common';
import { ReadYourWritesInterceptor } from '../platform/read-your-writes.js';
import { ListActionsController } from './list-actions.controller.js';
import { AnalyzeController } from './analyze.controller.js';
import { ExpansionController } from './expansion.controller.js';
import { ListOpportunitiesController } from './list-opportunities.controller.js';
import { SummaryController } from './summary.controller.js';
import { SeriesController } from './series.controller.js';

/**
 * The spec's revenue endpoints and the summary, for org owners and admins (the reads also for
 * services with maos:read). Needs FeatureDepsModule and, for
 * POST /analyze, RevenueCommandsModule (the CommandBus) in the same app.
 */
@Module({
  controllers: [
    ListOpportunitiesController,
    AnalyzeController,
    ExpansionController,
    ListActionsController,
    SummaryController,
    SeriesController,
  ],
  providers: [ReadYourWritesInterceptor],
})
export class RevenueModule {}

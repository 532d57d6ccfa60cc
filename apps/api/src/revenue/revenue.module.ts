import { Module } from '@nestjs/common';
import { ReadYourWritesInterceptor } from '../platform/read-your-writes.js';
import { ListActionsController } from './list-actions.controller.js';
import { AnalyzeController } from './analyze.controller.js';
import { ExpansionController } from './expansion.controller.js';
import { ListOpportunitiesController } from './list-opportunities.controller.js';

/**
 * The spec's revenue endpoints for org owners and admins. Needs FeatureDepsModule and, for
 * POST /analyze, RevenueCommandsModule (the CommandBus) in the same app.
 */
@Module({
  controllers: [ListOpportunitiesController, AnalyzeController, ExpansionController, ListActionsController],
  providers: [ReadYourWritesInterceptor],
})
export class RevenueModule {}

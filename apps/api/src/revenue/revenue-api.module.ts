import { type DynamicModule, Module } from '@nestjs/common';
import { AuditController } from '../audit/audit.controller.js';
import { ListActionsController } from './actions/list-actions.controller.js';
import { AnalyzeController } from './analyze/analyze.controller.js';
import { ExpansionController } from './expansion/expansion.controller.js';
import { ListOpportunitiesController } from './opportunities/list-opportunities.controller.js';
import { ReadYourWritesInterceptor } from './read-your-writes/read-your-writes.interceptor.js';
import { REVENUE_API_DEPS, type RevenueApiDeps } from './revenue-api.deps.js';

/**
 * The spec's revenue endpoints and the audit endpoints. POST /analyze goes through the
 * CommandBus, so RevenueCommandsModule.forRoot(deps) must be in the same app's module list.
 */
@Module({})
export class RevenueApiModule {
  static forRoot(deps: RevenueApiDeps): DynamicModule {
    return {
      module: RevenueApiModule,
      controllers: [ListOpportunitiesController, AnalyzeController, ExpansionController, ListActionsController, AuditController],
      providers: [{ provide: REVENUE_API_DEPS, useValue: deps }, ReadYourWritesInterceptor],
    };
  }
}

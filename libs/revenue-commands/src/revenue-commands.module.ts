import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { OrgCommandHandler } from './org-command.js';
import { detectHandlers } from './detect-opportunities/detect-opportunities.handler.js';
import { REVENUE_DEPS, type RevenueDeps } from './revenue-deps.js';
import { RunFullAnalysisHandler } from './run-full-analysis/run-full-analysis.handler.js';
import { SweepFleetHandler } from './sweep-fleet/sweep-fleet.handler.js';
import { TriggerActionsHandler } from './trigger-actions/trigger-actions.handler.js';

export const revenueCommandHandlers = [
  ...detectHandlers,
  TriggerActionsHandler,
  OrgCommandHandler,
  RunFullAnalysisHandler,
  SweepFleetHandler,
];

/** The revenue commands on @nestjs/cqrs's CommandBus (its EventBus is not used: events go to the store). */
@Module({})
export class RevenueCommandsModule {
  static forRoot(deps: RevenueDeps): DynamicModule {
    return {
      module: RevenueCommandsModule,
      imports: [CqrsModule.forRoot()],
      providers: [{ provide: REVENUE_DEPS, useValue: deps }, ...revenueCommandHandlers],
      exports: [CqrsModule, REVENUE_DEPS],
    };
  }
}

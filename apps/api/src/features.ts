import type { DynamicModule, Type } from '@nestjs/common';
import { RevenueCommandsModule } from '#revenue-commands';
import type { Runtime } from '#runtime';
import { AnalyticsModule } from './analytics/analytics.module.js';
import { AuditModule } from './audit/audit.module.js';
import { ErasureModule } from './erasure/erasure.module.js';
import { MaosModule } from './maos/maos.module.js';
import { OutboxModule } from './outbox/outbox.module.js';
import { RuntimeOpsModule } from './ops/runtime-ops.module.js';
import { FeatureDepsModule } from './platform/feature-deps.js';
import { RevenueModule } from './revenue/revenue.module.js';
import { SchedulerModule } from './scheduler/scheduler.module.js';

/** The API's feature modules over one runtime: the commands, the revenue endpoints, audit, MAOS, erasure, ops. */
export function featureModules(runtime: Runtime): Array<Type | DynamicModule> {
  return [
    RevenueCommandsModule.forRoot(runtime.deps),
    FeatureDepsModule.forRoot({
      store: runtime.store,
      projections: runtime.runner,
      ruleSet: runtime.deps.ruleSet,
      clock: runtime.deps.clock,
      ...(runtime.deps.observation ? { observation: runtime.deps.observation } : {}),
    }),
    RevenueModule,
    AuditModule,
    MaosModule,
    ErasureModule,
    SchedulerModule,
    OutboxModule,
    AnalyticsModule,
    RuntimeOpsModule.forRoot(runtime),
  ];
}

import type { DynamicModule } from '@nestjs/common';
import { RevenueCommandsModule } from '#revenue-commands';
import type { Runtime } from '#runtime';
import { MaosModule } from './maos/maos.module.js';
import { RuntimeOpsModule } from './ops/runtime-ops.module.js';
import { RevenueApiModule } from './revenue/revenue-api.module.js';

/** The API's feature modules over one runtime: commands, queries + audit, MAOS, ops. */
export function featureModules(runtime: Runtime): DynamicModule[] {
  return [
    RevenueCommandsModule.forRoot(runtime.deps),
    RevenueApiModule.forRoot({ store: runtime.store, runner: runtime.runner, ruleSet: runtime.deps.ruleSet }),
    MaosModule.forRoot({ store: runtime.store, projections: runtime.runner }),
    RuntimeOpsModule.forRoot(runtime),
  ];
}

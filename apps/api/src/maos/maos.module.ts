import { type DynamicModule, Module } from '@nestjs/common';
import { ErasureController } from '../erasure/erasure.controller.js';
import { MaosActionsController } from './actions.controller.js';
import { MaosApprovalsController } from './approvals.controller.js';
import { IdempotentCommands } from './idempotent-commands.js';
import { MAOS_OPTIONS, type MaosOptions, resolveMaosOptions } from './maos-options.js';

/**
 * The internal command API for MAOS (service tokens with maos:* scopes): pending approvals,
 * action commands under Idempotency-Key / If-Match, and org erasure. Needs the CommandBus of
 * RevenueCommandsModule.forRoot(...) in the same app (CqrsModule is global).
 */
@Module({})
export class MaosModule {
  static forRoot(options: MaosOptions): DynamicModule {
    return {
      module: MaosModule,
      controllers: [MaosApprovalsController, MaosActionsController, ErasureController],
      providers: [{ provide: MAOS_OPTIONS, useValue: resolveMaosOptions(options) }, IdempotentCommands],
    };
  }
}

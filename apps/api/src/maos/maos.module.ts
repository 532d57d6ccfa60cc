import { Module } from '@nestjs/common';
import { MaosActionsController } from './actions.controller.js';
import { MaosApprovalsController } from './approvals.controller.js';

/**
 * The internal command API for MAOS (service tokens with maos:* scopes): pending approvals and
 * the commands on one action. Needs RevenueCommandsModule (the CommandBus) in the same app.
 */
@Module({ controllers: [MaosApprovalsController, MaosActionsController] })
export class MaosModule {}

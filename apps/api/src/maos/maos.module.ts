import { Module } from '@nestjs/common';
import { ReadYourWritesInterceptor } from '../platform/read-your-writes.js';
import { MaosActionsController } from './actions.controller.js';
import { MaosApprovalsController } from './approvals.controller.js';
import { MaosOrgsController } from './orgs.controller.js';

/**
 * The internal command API for MAOS (service tokens with maos:* scopes): pending approvals, the
 * orgs an operator may pick, and the commands on one action. Needs RevenueCommandsModule (the CommandBus) in the same app.
 */
@Module({ controllers: [MaosApprovalsController, MaosOrgsController, MaosActionsController], providers: [ReadYourWritesInterceptor] })
export class MaosModule {}

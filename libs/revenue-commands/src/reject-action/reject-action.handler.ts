import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideRejectAction } from '#revenue';
import { executeOnOrg, type RevenueCommandResult } from '../execute-on-org.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { RejectAction } from './reject-action.command.js';

@CommandHandler(RejectAction)
export class RejectActionHandler implements ICommandHandler<RejectAction, RevenueCommandResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  execute(command: RejectAction): Promise<RevenueCommandResult> {
    const { orgId } = command;
    return executeOnOrg(this.deps, orgId, RejectAction.commandName, command.meta, (state, ctx) =>
      decideRejectAction({ kind: 'RejectAction', orgId, actionId: command.actionId, reason: command.reason }, state, ctx),
    );
  }
}

import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideApproveAction } from '#revenue';
import { executeOnOrg, type RevenueCommandResult } from '../execute-on-org.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { ApproveAction } from './approve-action.command.js';

@CommandHandler(ApproveAction)
export class ApproveActionHandler implements ICommandHandler<ApproveAction, RevenueCommandResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  execute(command: ApproveAction): Promise<RevenueCommandResult> {
    const { orgId } = command;
    return executeOnOrg(this.deps, orgId, ApproveAction.commandName, command.meta, (state, ctx) =>
      decideApproveAction({ kind: 'ApproveAction', orgId, actionId: command.actionId }, state, ctx),
    );
  }
}

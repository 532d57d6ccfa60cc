import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideExpireAction } from '#revenue';
import { executeOnOrg, type RevenueCommandResult } from '../execute-on-org.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { ExpireAction } from './expire-action.command.js';

@CommandHandler(ExpireAction)
export class ExpireActionHandler implements ICommandHandler<ExpireAction, RevenueCommandResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  execute(command: ExpireAction): Promise<RevenueCommandResult> {
    const { orgId } = command;
    return executeOnOrg(this.deps, orgId, ExpireAction.commandName, command.meta, (state, ctx) =>
      decideExpireAction({ kind: 'ExpireAction', orgId, actionId: command.actionId, reason: command.reason }, state, ctx),
    );
  }
}

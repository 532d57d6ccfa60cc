import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideCloseOpportunity } from '#revenue';
import { executeOnOrg, type RevenueCommandResult } from '../execute-on-org.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { CloseOpportunity } from './close-opportunity.command.js';

@CommandHandler(CloseOpportunity)
export class CloseOpportunityHandler implements ICommandHandler<CloseOpportunity, RevenueCommandResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  execute(command: CloseOpportunity): Promise<RevenueCommandResult> {
    const { orgId } = command;
    return executeOnOrg(this.deps, orgId, CloseOpportunity.commandName, command.meta, (state, ctx) =>
      decideCloseOpportunity(
        { kind: 'CloseOpportunity', orgId, opportunityId: command.opportunityId, outcome: command.outcome, reason: command.reason },
        state,
        ctx,
      ),
    );
  }
}

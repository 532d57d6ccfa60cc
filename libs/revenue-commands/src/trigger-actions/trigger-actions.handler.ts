import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideTriggerActions, type DecideContext, type RevenueAccountState, type RevenueEvent } from '#revenue';
import { executeOnOrg, type RevenueCommandResult } from '../org-command.js';
import { availableCredits } from '../inputs/available-credits.sql.js';
import { assertOrganizationExists } from '../inputs/organizations.sql.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { TriggerActions } from './trigger-actions.command.js';

/** The trigger decision with its one outside input, the org's credits, read for the state it decides on. */
export function triggerActions(deps: RevenueDeps, orgId: string) {
  return async (state: RevenueAccountState, ctx: DecideContext): Promise<RevenueEvent[]> => {
    const credits = await availableCredits(deps.pool, orgId, state);
    return decideTriggerActions({ kind: 'TriggerActions', orgId, availableCredits: credits }, state, ctx);
  };
}

@CommandHandler(TriggerActions)
export class TriggerActionsHandler implements ICommandHandler<TriggerActions, RevenueCommandResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  async execute({ orgId, meta }: TriggerActions): Promise<RevenueCommandResult> {
    await assertOrganizationExists(this.deps.pool, orgId);
    return executeOnOrg(this.deps, orgId, TriggerActions.commandName, meta, triggerActions(this.deps, orgId));
  }
}

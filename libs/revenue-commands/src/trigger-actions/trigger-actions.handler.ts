import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideTriggerActions, evolve, type Credits, type DecideContext, type RevenueAccountState, type RevenueEvent } from '#revenue';
import { executeOnOrg, type RevenueCommandResult } from '../org-command.js';
import { availableCredits } from '../inputs/available-credits.sql.js';
import { assertOrganizationExists } from '../inputs/organizations.sql.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { TriggerActions } from './trigger-actions.command.js';

/** A decision on one org's state; it may first read an input for that state. */
export type OrgDecision = (state: RevenueAccountState, ctx: DecideContext) => RevenueEvent[] | Promise<RevenueEvent[]>;

/** The pure trigger decision, once the org's available credits are known. */
export function triggerWithCredits(orgId: string, credits: Credits) {
  return (state: RevenueAccountState, ctx: DecideContext): RevenueEvent[] =>
    decideTriggerActions({ kind: 'TriggerActions', orgId, availableCredits: credits }, state, ctx);
}

/** The trigger decision with its one outside input, the org's credits, read for the state it decides on. */
export function triggerActions(deps: RevenueDeps, orgId: string) {
  return async (state: RevenueAccountState, ctx: DecideContext): Promise<RevenueEvent[]> =>
    triggerWithCredits(orgId, await availableCredits(deps.pool, orgId, state))(state, ctx);
}

/**
 * Detection and triggering as one decision on one revision (the full analysis, the fleet sweep):
 * the trigger decides on the state the detections leave, so an opportunity opened in this run can
 * be actioned in it, and everything is appended atomically.
 */
export function recordThenTrigger(record: OrgDecision, trigger: OrgDecision) {
  return async (state: RevenueAccountState, ctx: DecideContext): Promise<RevenueEvent[]> => {
    const detected = await record(state, ctx);
    return [...detected, ...(await trigger(detected.reduce(evolve, state), ctx))];
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

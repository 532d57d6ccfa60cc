import type { DecideContext, TriggerActions } from '../commands.js';
import { addCredits, canAfford, subtractCredits } from '../credits.js';
import { InvalidCommandError } from '../errors.js';
import type { RevenueEvent } from '../events.js';
import { byConfidenceDescending, liveActionsOf, openOpportunities } from '../queries.js';
import { actionTypeFor } from '../rules/rule-set.js';
import type { Opportunity, RevenueAccountState } from '../state.js';
import { assertOrg, requireId, timestamp } from './guards.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The spec's run: open opportunities with confidence >= minConfidence (held out ones excepted:
 * a control group gets no action), highest first; skip one actioned within the cooldown (or
 * still waiting on an earlier action); reserve the action's cost before each and stop the run,
 * with an event saying why, when it does not fit (unless the last stop recorded is this very one:
 * same opportunity, same credits left, nothing proposed since); at most maxPerRun.
 */
export function decideTriggerActions(command: TriggerActions, state: RevenueAccountState, context: DecideContext): RevenueEvent[] {
  const orgId = assertOrg(state, command.orgId);
  const available = command.availableCredits;
  if (typeof available !== 'number' || !Number.isFinite(available)) {
    throw new InvalidCommandError('availableCredits', `must be a finite number, got ${String(available)}`);
  }
  const { ruleSet } = context;
  const rule = ruleSet.actions;
  const at = timestamp(context);
  const now = context.now.getTime();

  const candidates = openOpportunities(state)
    .filter((o) => o.confidence >= rule.minConfidence && o.experiment?.arm !== 'control')
    .sort(byConfidenceDescending)
    .filter((o) => !inCooldown(o, now, rule.cooldownDays) && liveActionsOf(state, o.id).length === 0);

  const events: RevenueEvent[] = [];
  let reservedThisRun = 0;
  for (const opportunity of candidates.slice(0, rule.maxPerRun)) {
    const free = subtractCredits(subtractCredits(available, state.creditsReserved), reservedThisRun);
    if (!canAfford(free, rule.creditCost)) {
      const last = state.lastRunStop;
      if (events.length === 0 && last?.opportunityId === opportunity.id && last.creditsFree === free) break; // recorded already
      events.push({
        type: 'revenue.action-run-stopped.v1',
        data: {
          orgId,
          why: 'insufficient_credits',
          opportunityId: opportunity.id,
          creditsAvailable: available,
          creditsOutstanding: state.creditsReserved,
          creditsReservedThisRun: reservedThisRun,
          creditsRequired: rule.creditCost,
          actionsProposed: events.length,
          stoppedAt: at,
        },
      });
      break;
    }
    events.push({
      type: 'revenue.action-proposed.v1',
      data: {
        orgId,
        actionId: requireId('newId()', context.newId(`action:${opportunity.id}`)),
        opportunityId: opportunity.id,
        opportunityType: opportunity.type,
        actionType: actionTypeFor(ruleSet, opportunity.type),
        confidence: opportunity.confidence,
        creditsReserved: rule.creditCost,
        ruleSetVersion: ruleSet.version,
        proposedAt: at,
      },
    });
    reservedThisRun = addCredits(reservedThisRun, rule.creditCost);
  }
  return events;
}

/** The spec's `performed_at >= now - 7 days`: an action exactly 7 days old still counts as recent. */
function inCooldown(opportunity: Opportunity, now: number, cooldownDays: number): boolean {
  return opportunity.lastActionAt !== null && now - Date.parse(opportunity.lastActionAt) <= cooldownDays * DAY_MS;
}

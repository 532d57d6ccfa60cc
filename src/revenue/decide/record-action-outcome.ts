import type { DecideContext, RecordActionOutcome } from '../commands.js';
import type { RevenueEvent } from '../events.js';
import type { RevenueAccountState } from '../state.js';
import { closeOpportunityEvents } from './closing.js';
import { assertActionTransition, assertOrg, requireAction, requireOneOf, timestamp } from './guards.js';

/**
 * The customer's answer to a sent action. Accepted closes its opportunity as won, declined as
 * lost (when it is still open). The same outcome again is a no-op; the other one is refused.
 */
export function decideRecordActionOutcome(
  command: RecordActionOutcome,
  state: RevenueAccountState,
  context: DecideContext,
): RevenueEvent[] {
  const orgId = assertOrg(state, command.orgId);
  const outcome = requireOneOf('outcome', command.outcome, ['accepted', 'declined'] as const);
  const action = requireAction(state, command.actionId);
  if (action.status === outcome) return [];
  assertActionTransition(action, outcome);
  const at = timestamp(context);
  const recorded: RevenueEvent = {
    type: 'revenue.action-outcome-recorded.v1',
    data: { orgId, actionId: action.id, opportunityId: action.opportunityId, outcome, recordedAt: at },
  };
  const opportunity = state.opportunities[action.opportunityId];
  if (!opportunity || opportunity.status !== 'open') return [recorded];
  const close = {
    outcome: outcome === 'accepted' ? ('won' as const) : ('lost' as const),
    reason: `action_${outcome}`,
    actionId: action.id,
    at,
  };
  return [recorded, ...closeOpportunityEvents(state, opportunity, close)];
}

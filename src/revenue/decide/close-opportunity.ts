import type { CloseOpportunity, DecideContext } from '../commands.js';
import { OpportunityClosedError } from '../errors.js';
import type { RevenueEvent } from '../events.js';
import type { RevenueAccountState } from '../state.js';
import { closeOpportunityEvents } from './closing.js';
import { assertOrg, optionalText, requireOneOf, requireOpportunity, timestamp } from './guards.js';

/**
 * Closes an open opportunity as lost, superseded or expired (won only follows an accepted action).
 * Closing it again with the same outcome is a no-op; with another outcome it is refused.
 */
export function decideCloseOpportunity(command: CloseOpportunity, state: RevenueAccountState, context: DecideContext): RevenueEvent[] {
  assertOrg(state, command.orgId);
  const outcome = requireOneOf('outcome', command.outcome, ['lost', 'superseded', 'expired'] as const);
  const reason = optionalText('reason', command.reason, outcome);
  const opportunity = requireOpportunity(state, command.opportunityId);
  if (opportunity.status === outcome) return [];
  if (opportunity.status !== 'open') throw new OpportunityClosedError(opportunity.id, opportunity.status);
  return closeOpportunityEvents(state, opportunity, { outcome, reason, actionId: null, at: timestamp(context) });
}

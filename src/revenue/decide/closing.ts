import type { ActionExpired, OpportunityClosed, RevenueEvent } from '../events.js';
import { liveActionsOf } from '../queries.js';
import type { Opportunity, RevenueAccountState } from '../state.js';

/**
 * Closing an opportunity also expires its actions still waiting for approval or dispatch, so no
 * credits stay reserved for something that will never be sent.
 */
export function closeOpportunityEvents(
  state: RevenueAccountState,
  opportunity: Opportunity,
  close: { outcome: OpportunityClosed['data']['outcome']; reason: string; actionId: string | null; at: string },
): RevenueEvent[] {
  const orgId = state.orgId ?? '';
  const expired: ActionExpired[] = liveActionsOf(state, opportunity.id).map((action) => ({
    type: 'revenue.action-expired.v1',
    data: {
      orgId,
      actionId: action.id,
      opportunityId: opportunity.id,
      reason: `opportunity_${close.outcome}`,
      creditsReleased: action.creditsReserved,
      expiredAt: close.at,
    },
  }));
  const closed: OpportunityClosed = {
    type: 'revenue.opportunity-closed.v1',
    data: {
      orgId,
      opportunityId: opportunity.id,
      opportunityType: opportunity.type,
      outcome: close.outcome,
      reason: close.reason,
      actionId: close.actionId,
      closedAt: close.at,
    },
  };
  return [...expired, closed];
}

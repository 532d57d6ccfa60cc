import type { Action, Opportunity, RevenueAccountState } from './state.js';
import type { OpportunityType } from './types.js';

/** Read helpers over the folded state, shared by deciders, expansion and the handlers. */

export function openOpportunities(state: RevenueAccountState): Opportunity[] {
  return Object.values(state.opportunities).filter((o) => o.status === 'open');
}

export function openOpportunityOfType(state: RevenueAccountState, type: OpportunityType): Opportunity | undefined {
  const id = state.openOpportunityByType[type];
  return id === undefined ? undefined : state.opportunities[id];
}

/** Actions still waiting on MAOS or on dispatch: they hold credits. */
export function liveActionsOf(state: RevenueAccountState, opportunityId: string): Action[] {
  return Object.values(state.actions).filter(
    (a) => a.opportunityId === opportunityId && (a.status === 'proposed' || a.status === 'approved'),
  );
}

export function actionsOf(state: RevenueAccountState, opportunityId: string): Action[] {
  return Object.values(state.actions)
    .filter((a) => a.opportunityId === opportunityId)
    .sort((a, b) => b.proposedAt.localeCompare(a.proposedAt) || a.id.localeCompare(b.id));
}

/**
 * The spec's order: confidence descending. Ties (the spec leaves them to the database) go to the
 * earlier detection, then the id, so that replays decide the same way.
 */
export function byConfidenceDescending(a: Opportunity, b: Opportunity): number {
  return b.confidence - a.confidence || a.detectedAt.localeCompare(b.detectedAt) || a.id.localeCompare(b.id);
}

import type { RecordedEvent } from '#event-store';
import { actionsOf, evolve, initialState, type Action, type Opportunity, type RevenueAccountState, type RevenueEvent } from '#revenue';

/** The point in history to replay to: a moment (metadata occurredAt) or a stream revision, both inclusive. */
export type HistoryPoint = { readonly asOf: Date } | { readonly revision: bigint } | { readonly latest: true };

export interface ReplayedState {
  readonly state: RevenueAccountState;
  /** Revision of the last event folded; null when none was. */
  readonly revision: bigint | null;
}

/**
 * Folds the org stream up to the point with the domain's own evolve, so the answer is what
 * the commands saw then. History is a prefix: it stops at the first event after the point, so
 * a later event stamped with an earlier time (clock skew) cannot make a state that never existed.
 */
export function replayTo(events: readonly RecordedEvent[], point: HistoryPoint): ReplayedState {
  let state = initialState;
  let revision: bigint | null = null;
  for (const event of events) {
    if ('revision' in point && event.streamRevision > point.revision) break;
    if ('asOf' in point && !(Date.parse(event.metadata.occurredAt) <= point.asOf.getTime())) break;
    state = evolve(state, event as unknown as RevenueEvent);
    revision = event.streamRevision;
  }
  return { state, revision };
}

export interface OpportunitySnapshot {
  readonly opportunity: Opportunity;
  /** Newest first, as the action history endpoint. */
  readonly actions: Action[];
}

/** The opportunity and its actions in that state; null when it did not exist (yet). */
export function opportunityIn(state: RevenueAccountState, opportunityId: string): OpportunitySnapshot | null {
  const opportunity = state.opportunities[opportunityId];
  return opportunity ? { opportunity, actions: actionsOf(state, opportunityId) } : null;
}

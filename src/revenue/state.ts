import { addCredits, subtractCredits, type Credits } from './credits.js';
import type { ActionRunStopped, RevenueEvent } from './events.js';
import type { ActionStatus, ActionType, Arm, Facts, OpportunityStatus, OpportunityType } from './types.js';

/** The fold of one org's stream. Plain records (not Maps) so audit can return it as JSON. */
export interface Opportunity {
  readonly id: string;
  readonly type: OpportunityType;
  readonly source: string;
  readonly confidence: number;
  readonly details: Facts;
  /** The details as detected (a refresh replaces `details`, never this): what an observation compares with. */
  readonly baseline: Facts;
  readonly evidence: Facts;
  readonly ruleSetVersion: string;
  readonly status: OpportunityStatus;
  readonly detectedAt: string;
  readonly refreshedAt: string | null;
  readonly closedAt: string | null;
  /** When its latest action was proposed: drives the re-action cooldown. */
  readonly lastActionAt: string | null;
  /** Its arm in the play's experiment; null when the play had no holdout when it was detected. */
  readonly experiment: { readonly experimentId: string; readonly arm: Arm } | null;
  /** What its observation window showed; null until observed. */
  readonly observation: { readonly converted: boolean; readonly realisedMrr: number; readonly observedAt: string } | null;
}

export interface Action {
  readonly id: string;
  readonly opportunityId: string;
  readonly opportunityType: OpportunityType;
  readonly actionType: ActionType;
  readonly status: ActionStatus;
  /** Credits still held for this action: the cost while proposed/approved, 0 afterwards. */
  readonly creditsReserved: Credits;
  readonly creditsCharged: Credits;
  readonly proposedAt: string;
  /** Set once approved, kept afterwards: makes a retried approval recognisable. */
  readonly approvedAt: string | null;
  /**
   * Who reports it sent or failed: the engine's dispatcher (its channel was queued for delivery
   * with the approval) or, by default, an external dispatcher such as MAOS.
   */
  readonly deliveredBy: 'engine' | 'external';
  readonly updatedAt: string;
}

export interface RevenueAccountState {
  readonly orgId: string | null;
  readonly opportunities: Readonly<Record<string, Opportunity>>;
  readonly openOpportunityByType: Readonly<Partial<Record<OpportunityType, string>>>;
  readonly actions: Readonly<Record<string, Action>>;
  /** Sum of the reservations of actions still proposed or approved. */
  readonly creditsReserved: Credits;
  /** Sum ever charged for sent actions. */
  readonly creditsCharged: Credits;
  /**
   * The last trigger run that stopped for credits, until an action is proposed again: a run that
   * would stop at the same place with the same credits records nothing new (a scheduled sweep
   * must not add an event per org without credits every time it runs).
   */
  readonly lastRunStop: RunStop | null;
  /** The org's arm in each experiment it was ever assigned in: it keeps it for that experiment. */
  readonly arms: Readonly<Record<string, Arm>>;
}

export interface RunStop {
  readonly opportunityId: string;
  /** What was left to reserve when it stopped: available - outstanding - reserved by that run. */
  readonly creditsFree: Credits;
}

export const initialState: RevenueAccountState = {
  orgId: null,
  opportunities: {},
  openOpportunityByType: {},
  actions: {},
  creditsReserved: 0,
  creditsCharged: 0,
  lastRunStop: null,
  arms: {},
};

/** History is fact: evolve never throws; an event naming an unknown entity leaves state as it was. */
export function evolve(state: RevenueAccountState, event: RevenueEvent): RevenueAccountState {
  const withOrg = state.orgId === null ? { ...state, orgId: event.data.orgId } : state;
  switch (event.type) {
    case 'revenue.opportunity-detected.v1': {
      const d = event.data;
      const opportunity: Opportunity = {
        id: d.opportunityId,
        type: d.opportunityType,
        source: d.source,
        confidence: d.confidence,
        details: d.details,
        baseline: d.details,
        evidence: d.evidence,
        ruleSetVersion: d.ruleSetVersion,
        status: 'open',
        detectedAt: d.detectedAt,
        refreshedAt: null,
        closedAt: null,
        lastActionAt: null,
        experiment: null,
        observation: null,
      };
      return {
        ...withOrg,
        opportunities: { ...withOrg.opportunities, [d.opportunityId]: opportunity },
        openOpportunityByType: { ...withOrg.openOpportunityByType, [d.opportunityType]: d.opportunityId },
      };
    }
    case 'revenue.opportunity-refreshed.v1': {
      const { source, confidence, details, evidence, ruleSetVersion, refreshedAt } = event.data;
      return patchOpportunity(withOrg, event.data.opportunityId, { source, confidence, details, evidence, ruleSetVersion, refreshedAt });
    }
    case 'revenue.opportunity-closed.v1': {
      const { opportunityId, opportunityType, outcome, closedAt } = event.data;
      const closed = patchOpportunity(withOrg, opportunityId, { status: outcome, closedAt });
      if (closed.openOpportunityByType[opportunityType] !== opportunityId) return closed;
      const stillOpen = { ...closed.openOpportunityByType };
      delete stillOpen[opportunityType];
      return { ...closed, openOpportunityByType: stillOpen };
    }
    case 'revenue.action-proposed.v1': {
      const d = event.data;
      if (!withOrg.opportunities[d.opportunityId]) return withOrg;
      const action: Action = {
        id: d.actionId,
        opportunityId: d.opportunityId,
        opportunityType: d.opportunityType,
        actionType: d.actionType,
        status: 'proposed',
        creditsReserved: d.creditsReserved,
        creditsCharged: 0,
        proposedAt: d.proposedAt,
        approvedAt: null,
        deliveredBy: 'external',
        updatedAt: d.proposedAt,
      };
      const withAction = {
        ...withOrg,
        lastRunStop: null,
        actions: { ...withOrg.actions, [d.actionId]: action },
        creditsReserved: addCredits(withOrg.creditsReserved, d.creditsReserved),
      };
      return patchOpportunity(withAction, d.opportunityId, { lastActionAt: d.proposedAt });
    }
    case 'revenue.action-approved.v1':
      return patchAction(withOrg, event.data.actionId, {
        status: 'approved',
        approvedAt: event.data.approvedAt,
        updatedAt: event.data.approvedAt,
      });
    case 'revenue.action-delivery-queued.v1':
      return patchAction(withOrg, event.data.actionId, { deliveredBy: 'engine' });
    case 'revenue.action-rejected.v1':
      return releaseCredits(withOrg, event.data.actionId, 'rejected', event.data.creditsReleased, event.data.rejectedAt);
    case 'revenue.action-failed.v1':
      return releaseCredits(withOrg, event.data.actionId, 'failed', event.data.creditsReleased, event.data.failedAt);
    case 'revenue.action-expired.v1':
      return releaseCredits(withOrg, event.data.actionId, 'expired', event.data.creditsReleased, event.data.expiredAt);
    case 'revenue.action-sent.v1': {
      const { actionId, creditsCharged, sentAt } = event.data;
      if (!withOrg.actions[actionId]) return withOrg;
      // The charge consumes the reservation: it leaves `creditsReserved` and joins `creditsCharged`.
      const charged = {
        ...withOrg,
        creditsReserved: subtractCredits(withOrg.creditsReserved, creditsCharged),
        creditsCharged: addCredits(withOrg.creditsCharged, creditsCharged),
      };
      return patchAction(charged, actionId, { status: 'sent', creditsReserved: 0, creditsCharged, updatedAt: sentAt });
    }
    case 'revenue.action-outcome-recorded.v1':
      return patchAction(withOrg, event.data.actionId, { status: event.data.outcome, updatedAt: event.data.recordedAt });
    case 'revenue.action-run-stopped.v1': {
      return { ...withOrg, lastRunStop: runStopOf(event.data) };
    }
    case 'revenue.experiment-arm-assigned.v1': {
      const { opportunityId, experimentId, arm } = event.data;
      const assigned = patchOpportunity(withOrg, opportunityId, { experiment: { experimentId, arm } });
      return { ...assigned, arms: { ...assigned.arms, [experimentId]: assigned.arms[experimentId] ?? arm } };
    }
    case 'revenue.outcome-observed.v1': {
      const { opportunityId, converted, realisedMrr, observedAt } = event.data;
      return patchOpportunity(withOrg, opportunityId, { observation: { converted, realisedMrr, observedAt } });
    }
    default:
      return state; // a type this version does not know (newer writer): nothing to fold
  }
}

function patchOpportunity(state: RevenueAccountState, id: string, patch: Partial<Opportunity>): RevenueAccountState {
  const current = state.opportunities[id];
  if (!current) return state;
  return { ...state, opportunities: { ...state.opportunities, [id]: { ...current, ...patch } } };
}

function patchAction(state: RevenueAccountState, id: string, patch: Partial<Action>): RevenueAccountState {
  const current = state.actions[id];
  if (!current) return state;
  return { ...state, actions: { ...state.actions, [id]: { ...current, ...patch } } };
}

function releaseCredits(
  state: RevenueAccountState,
  actionId: string,
  status: ActionStatus,
  released: Credits,
  at: string,
): RevenueAccountState {
  if (!state.actions[actionId]) return state;
  const withoutReservation = { ...state, creditsReserved: subtractCredits(state.creditsReserved, released) };
  return patchAction(withoutReservation, actionId, { status, creditsReserved: 0, updatedAt: at });
}

export function runStopOf(stop: ActionRunStopped['data']): RunStop {
  const free = subtractCredits(subtractCredits(stop.creditsAvailable, stop.creditsOutstanding), stop.creditsReservedThisRun);
  return { opportunityId: stop.opportunityId, creditsFree: free };
}

/** Folds a history from the initial state (or from a snapshot). */
export function foldEvents(events: readonly RevenueEvent[], from: RevenueAccountState = initialState): RevenueAccountState {
  return events.reduce(evolve, from);
}

import type { Credits } from './credits.js';
import type { ActionOutcome, ActionType, Arm, Facts, ManualCloseOutcome, OpportunityType } from './types.js';

/**
 * The events of one org's revenue stream. Type strings are stable and versioned: a change of
 * shape means a new `.v2` string plus an upcaster, never an edited `.v1`.
 * Timestamps are ISO-8601 strings from the injected clock: evolve needs them (7-day window)
 * and must not read metadata.
 */
export const REVENUE_EVENT_TYPES = {
  opportunityDetected: 'revenue.opportunity-detected.v1',
  opportunityRefreshed: 'revenue.opportunity-refreshed.v1',
  opportunityClosed: 'revenue.opportunity-closed.v1',
  actionProposed: 'revenue.action-proposed.v1',
  actionApproved: 'revenue.action-approved.v1',
  actionDeliveryQueued: 'revenue.action-delivery-queued.v1',
  actionRejected: 'revenue.action-rejected.v1',
  actionSent: 'revenue.action-sent.v1',
  actionFailed: 'revenue.action-failed.v1',
  actionOutcomeRecorded: 'revenue.action-outcome-recorded.v1',
  actionExpired: 'revenue.action-expired.v1',
  actionRunStopped: 'revenue.action-run-stopped.v1',
  experimentArmAssigned: 'revenue.experiment-arm-assigned.v1',
  outcomeObserved: 'revenue.outcome-observed.v1',
} as const;

export type RevenueEventType = (typeof REVENUE_EVENT_TYPES)[keyof typeof REVENUE_EVENT_TYPES];

/** Every type string, for subscription filters and projection declarations. */
export const ALL_REVENUE_EVENT_TYPES: readonly RevenueEventType[] = Object.values(REVENUE_EVENT_TYPES);

export function isRevenueEventType(type: string): type is RevenueEventType {
  return (ALL_REVENUE_EVENT_TYPES as readonly string[]).includes(type);
}

type Event<T extends RevenueEventType, D> = { readonly type: T; readonly data: Readonly<D> };
type ActionRef = { orgId: string; actionId: string; opportunityId: string };

export type OpportunityDetected = Event<
  'revenue.opportunity-detected.v1',
  {
    orgId: string;
    opportunityId: string;
    opportunityType: OpportunityType;
    source: string;
    confidence: number;
    details: Facts;
    evidence: Facts;
    ruleSetVersion: string;
    detectedAt: string;
  }
>;
/** A repeat detection of the open opportunity of that type: new numbers, same opportunity. */
// Allowed repeat (jscpd): each versioned event spells out its own schema, so changing one never changes another.
// jscpd:ignore-start
export type OpportunityRefreshed = Event<
  'revenue.opportunity-refreshed.v1',
  {
    orgId: string;
    opportunityId: string;
    opportunityType: OpportunityType;
    source: string;
    confidence: number;
    details: Facts;
    evidence: Facts;
    ruleSetVersion: string;
    refreshedAt: string;
  }
>;
// jscpd:ignore-end
export type OpportunityClosed = Event<
  'revenue.opportunity-closed.v1',
  {
    orgId: string;
    opportunityId: string;
    opportunityType: OpportunityType;
    outcome: 'won' | ManualCloseOutcome;
    reason: string;
    actionId: string | null;
    closedAt: string;
  }
>;
/** Reserves the action's cost from the org's credits until it is sent (charged) or released. */
export type ActionProposed = Event<
  'revenue.action-proposed.v1',
  ActionRef & {
    opportunityType: OpportunityType;
    actionType: ActionType;
    confidence: number;
    creditsReserved: Credits;
    ruleSetVersion: string;
    proposedAt: string;
  }
>;
export type ActionApproved = Event<'revenue.action-approved.v1', ActionRef & { approvedAt: string }>;
/**
 * Appended with the approval when the action's channel is one the engine delivers to (a webhook,
 * or the local log channel): the outbox entry. In the same append as the approval, so an approved
 * action is never without it; the engine's dispatcher then records sent or failed, and nobody else.
 */
export type ActionDeliveryQueued = Event<
  'revenue.action-delivery-queued.v1',
  ActionRef & { actionType: ActionType; channelKind: 'webhook' | 'log'; queuedAt: string }
>;
export type ActionRejected = Event<
  'revenue.action-rejected.v1',
  ActionRef & { reason: string; creditsReleased: Credits; rejectedAt: string }
>;
export type ActionSent = Event<'revenue.action-sent.v1', ActionRef & { creditsCharged: Credits; sentAt: string }>;
export type ActionFailed = Event<'revenue.action-failed.v1', ActionRef & { reason: string; creditsReleased: Credits; failedAt: string }>;
export type ActionOutcomeRecorded = Event<'revenue.action-outcome-recorded.v1', ActionRef & { outcome: ActionOutcome; recordedAt: string }>;
export type ActionExpired = Event<'revenue.action-expired.v1', ActionRef & { reason: string; creditsReleased: Credits; expiredAt: string }>;
/** A TriggerActions run ended early because the next action did not fit in the org's credits. */
export type ActionRunStopped = Event<
  'revenue.action-run-stopped.v1',
  {
    orgId: string;
    why: 'insufficient_credits';
    opportunityId: string;
    creditsAvailable: Credits;
    creditsOutstanding: Credits;
    creditsReservedThisRun: Credits;
    creditsRequired: Credits;
    actionsProposed: number;
    stoppedAt: string;
  }
>;

/**
 * The arm of the play's experiment the org is in, recorded with the opportunity it was detected
 * for (in the same append, right after the detection). `share` and `bucket` say why.
 */
export type ExperimentArmAssigned = Event<
  'revenue.experiment-arm-assigned.v1',
  {
    orgId: string;
    opportunityId: string;
    opportunityType: OpportunityType;
    experimentId: string;
    arm: Arm;
    share: number;
    ruleSetVersion: string;
    assignedAt: string;
  }
>;
/**
 * What the platform's data showed over the opportunity's observation window, for either arm:
 * converted or not, the evidence, and the monthly value realised at the configured prices.
 */
export type OutcomeObserved = Event<
  'revenue.outcome-observed.v1',
  {
    orgId: string;
    opportunityId: string;
    opportunityType: OpportunityType;
    /** Null: the opportunity was in no experiment (treated, no control to compare with). */
    experimentId: string | null;
    arm: Arm | null;
    windowStart: string;
    windowEnd: string;
    converted: boolean;
    realisedMrr: number;
    evidence: Facts;
    observedAt: string;
  }
>;

export type RevenueEvent =
  | OpportunityDetected
  | OpportunityRefreshed
  | OpportunityClosed
  | ActionProposed
  | ActionApproved
  | ActionDeliveryQueued
  | ActionRejected
  | ActionSent
  | ActionFailed
  | ActionOutcomeRecorded
  | ActionExpired
  | ActionRunStopped
  | ExperimentArmAssigned
  | OutcomeObserved;

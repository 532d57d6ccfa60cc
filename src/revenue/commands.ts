import type { ObservationConfig, ObservationFacts } from './effect/observe.js';
import type { Detection } from './rules/detect.js';
import type { RuleSet } from './rules/rule-set.js';
import type { ActionOutcome, ActionType, ManualCloseOutcome, OpportunityType } from './types.js';

/** The commands of the org's revenue stream, one decide function each (src/revenue/decide). */

/** The result of any Detect* command: opens new opportunities or refreshes the open one of each type. */
export interface RecordDetections {
  readonly kind: 'RecordDetections';
  readonly orgId: string;
  readonly detections: readonly Detection[];
  /**
   * The types whose detectors ran. An open opportunity of one of these types that was not
   * detected again no longer meets its rule: it is closed as expired (its waiting actions
   * expire and release their credits), so it stops counting in potentialMRR. Omitted: none.
   */
  readonly evaluatedTypes?: readonly OpportunityType[];
}

/** Proposes actions for the best open opportunities, reserving credits for each. */
export interface TriggerActions {
  readonly kind: 'TriggerActions';
  readonly orgId: string;
  /** Wallet balance minus debits not yet applied (the handler computes it); reservations are subtracted here. */
  readonly availableCredits: number;
}

export interface ApproveAction {
  readonly kind: 'ApproveAction';
  readonly orgId: string;
  readonly actionId: string;
}

export interface RejectAction {
  readonly kind: 'RejectAction';
  readonly orgId: string;
  readonly actionId: string;
  readonly reason: string;
}

/** The dispatcher's report: the action went out (credits charged) or could not (credits released). */
export interface RecordActionDispatch {
  readonly kind: 'RecordActionDispatch';
  readonly orgId: string;
  readonly actionId: string;
  readonly result: 'sent' | 'failed';
  /** Required when result is failed. */
  readonly reason?: string;
  /** Who reports: the engine's own dispatcher, or (default) an external one such as MAOS. It must be the action's deliverer. */
  readonly reportedBy?: 'engine' | 'external';
}

export interface RecordActionOutcome {
  readonly kind: 'RecordActionOutcome';
  readonly orgId: string;
  readonly actionId: string;
  readonly outcome: ActionOutcome;
}

export interface ExpireAction {
  readonly kind: 'ExpireAction';
  readonly orgId: string;
  readonly actionId: string;
  readonly reason?: string;
}

export interface CloseOpportunity {
  readonly kind: 'CloseOpportunity';
  readonly orgId: string;
  readonly opportunityId: string;
  readonly outcome: ManualCloseOutcome;
  readonly reason?: string;
}

/** The observer's report: what the platform's data showed over each opportunity's closed observation window. */
export interface ObserveOutcomes {
  readonly kind: 'ObserveOutcomes';
  readonly orgId: string;
  readonly observations: readonly { readonly opportunityId: string; readonly facts: ObservationFacts }[];
}

/**
 * The commands decided from the org's stream alone, with no outside input: one generic handler
 * (#revenue-commands OrgCommand) runs them all through `decide`.
 */
export type LifecycleCommand = ApproveAction | RejectAction | RecordActionDispatch | RecordActionOutcome | ExpireAction | CloseOpportunity;

export type RevenueCommand =
  | RecordDetections
  | TriggerActions
  | ApproveAction
  | RejectAction
  | RecordActionDispatch
  | RecordActionOutcome
  | ExpireAction
  | CloseOpportunity
  | ObserveOutcomes;

/** What the handler injects: the decider has no clock and makes no ids of its own. */
export interface DecideContext {
  readonly now: Date;
  /**
   * Id for an entity created by this decision. `key` is unique within one decision
   * (`opportunity:<type>`, `action:<opportunityId>`), so the handler can derive deterministic ids,
   * e.g. a UUID v5 of (stream name, expected revision, key).
   */
  readonly newId: (key: string) => string;
  readonly ruleSet: RuleSet;
  /**
   * How each action type's channel is delivered, from the deployment's channel configuration:
   * by the engine (`webhook`, `log`) or by an external dispatcher. Unset or missing: external.
   * The approval records the choice, so replaying history never depends on today's configuration.
   */
  readonly channels?: ChannelRouting;
  /** The observation window and price list (default defaultObservationConfig); each observation records what it used. */
  readonly observation?: ObservationConfig;
}

export type ChannelRouting = Readonly<Partial<Record<ActionType, 'webhook' | 'log' | 'external'>>>;

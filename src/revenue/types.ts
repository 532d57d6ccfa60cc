/** Vocabulary of the revenue domain: the spec's opportunity and action types, and our lifecycles. */

export const OPPORTUNITY_TYPES = [
  'upsell',
  'cross_sell',
  'feature_expansion',
  'retention_intervention',
  'credit_marketplace_offer',
] as const;
export type OpportunityType = (typeof OPPORTUNITY_TYPES)[number];

export const ACTION_TYPES = [
  'send_email',
  'voice_outreach',
  'offer_upgrade',
  'trigger_client_journey_action',
  'deep_agent_sequence',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const OPPORTUNITY_STATUSES = ['open', 'won', 'lost', 'superseded', 'expired'] as const;
export type OpportunityStatus = (typeof OPPORTUNITY_STATUSES)[number];
/** How an opportunity may be closed by command; `won` only follows an accepted action. */
export type ManualCloseOutcome = 'lost' | 'superseded' | 'expired';

export const ACTION_STATUSES = ['proposed', 'approved', 'rejected', 'sent', 'failed', 'accepted', 'declined', 'expired'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
/** The specification's `result` column of revenue_actions: how far the action got, beside our lifecycle status. */
export const ACTION_RESULTS = ['pending', 'sent', 'accepted', 'declined', 'failed'] as const;
export type ActionResult = (typeof ACTION_RESULTS)[number];
export type ActionOutcome = 'accepted' | 'declined';
/** The arms of a play's experiment: treatment (actioned) and control (held out). */
export type Arm = 'treatment' | 'control';

/** Details and evidence are flat JSON records so they store as jsonb and compare cheaply. */
export type FactValue = string | number | boolean | null;
export type Facts = Readonly<Record<string, FactValue>>;

export function isOpportunityType(value: unknown): value is OpportunityType {
  return typeof value === 'string' && (OPPORTUNITY_TYPES as readonly string[]).includes(value);
}

export function isActionType(value: unknown): value is ActionType {
  return typeof value === 'string' && (ACTION_TYPES as readonly string[]).includes(value);
}

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

export type OpportunityStatus = 'open' | 'won' | 'lost' | 'superseded' | 'expired';
/** How an opportunity may be closed by command; `won` only follows an accepted action. */
export type ManualCloseOutcome = 'lost' | 'superseded' | 'expired';

export type ActionStatus = 'proposed' | 'approved' | 'rejected' | 'sent' | 'failed' | 'accepted' | 'declined' | 'expired';
export type ActionOutcome = 'accepted' | 'declined';

/** Details and evidence are flat JSON records so they store as jsonb and compare cheaply. */
export type FactValue = string | number | boolean | null;
export type Facts = Readonly<Record<string, FactValue>>;

export function isOpportunityType(value: unknown): value is OpportunityType {
  return typeof value === 'string' && (OPPORTUNITY_TYPES as readonly string[]).includes(value);
}

export function isActionType(value: unknown): value is ActionType {
  return typeof value === 'string' && (ACTION_TYPES as readonly string[]).includes(value);
}

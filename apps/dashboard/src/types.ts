/** The shapes of the API answers the dashboard reads (docs: the dashboard API contract, issue 11). */

// The API's vocabulary (src/revenue/types.ts), repeated: the browser app imports nothing of the service (.dependency-cruiser.cjs).
// jscpd:ignore-start
export const OPPORTUNITY_TYPES = [
  'upsell',
  'cross_sell',
  'feature_expansion',
  'retention_intervention',
  'credit_marketplace_offer',
] as const;
export type OpportunityType = (typeof OPPORTUNITY_TYPES)[number];
/** The types that carry potential MRR. */
export const EXPANSION_TYPES = ['upsell', 'cross_sell', 'feature_expansion'] as const;
export const OPPORTUNITY_STATUSES = ['open', 'won', 'lost', 'superseded', 'expired'] as const;
export const ACTION_STATUSES = ['proposed', 'approved', 'rejected', 'sent', 'failed', 'accepted', 'declined', 'expired'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
// jscpd:ignore-end
/** The funnel the charts show, in order. */
export const FUNNEL_STEPS = ['proposed', 'approved', 'sent', 'accepted'] as const;
/** The outbox states (apps/runtime/src/outbox/outbox.sql.ts OUTBOX_STATES). */
export const OUTBOX_STATES = ['waiting', 'delivering', 'retrying', 'gave-up', 'sent', 'failed', 'expired', 'notified', 'moot'] as const;
export const OPPORTUNITY_SORTS = ['confidence', 'newest', 'oldest'] as const;
export type OpportunitySort = (typeof OPPORTUNITY_SORTS)[number];

export type Facts = Readonly<Record<string, string | number | boolean | null>>;

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string | null;
}

export interface MyOrg {
  readonly orgId: string;
  readonly name: string;
  readonly role: 'owner' | 'admin' | 'member';
  readonly canReadRevenue: boolean;
}

export interface OperatorOrg {
  readonly orgId: string;
  readonly name: string;
}

export interface Opportunity {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly confidence: number;
  readonly details: Facts;
  readonly status: string;
  readonly evidence: Facts;
  readonly ruleSetVersion: string | null;
  readonly createdAt: string;
  readonly updatedAt: string | null;
  readonly closedAt: string | null;
}

export interface OpportunityPage {
  readonly success: true;
  readonly opportunities: readonly Opportunity[];
  readonly nextCursor: string | null;
}

export interface Delivery {
  readonly channel: string;
  readonly state: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
}

export interface Action {
  readonly id: string;
  readonly opportunityId: string;
  readonly orgId: string;
  readonly actionType: string;
  readonly result: string;
  readonly status: string;
  readonly performedAt: string;
  readonly updatedAt: string | null;
  readonly creditsReserved: number;
  readonly creditsCharged: number;
  readonly reason: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly delivery: Delivery | null;
}

export interface AuditEvent {
  readonly eventId: string;
  readonly type: string;
  readonly revision: string;
  readonly position: string;
  readonly occurredAt: string;
  readonly actor: { readonly kind: string; readonly id: string };
  readonly command: string | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly idempotencyKey: string | null;
  readonly ruleSetVersion: string | null;
  readonly data: unknown;
}

export interface StateAsOf {
  readonly success: true;
  readonly revision: string | null;
  readonly opportunity: unknown;
  readonly actions: readonly unknown[];
}

export type ByType = Readonly<Record<OpportunityType, number>>;
export type ByStatus = Readonly<Record<ActionStatus, number>>;

export interface Summary {
  readonly potentialMRR: number;
  readonly potentialMRRByType: Readonly<Record<(typeof EXPANSION_TYPES)[number], number>>;
  readonly openByType: ByType;
  readonly actionsByStatus: ByStatus;
  readonly acceptanceRate: number | null;
  readonly credits: { readonly reserved: number; readonly charged: number };
}

export interface SeriesDay {
  readonly day: string;
  readonly detected: ByType;
  readonly potentialMRR: number;
  readonly funnel: ByStatus;
}

export interface Series {
  readonly success: true;
  readonly from: string;
  readonly to: string;
  readonly days: readonly SeriesDay[];
}

export interface PendingApproval {
  readonly actionId: string;
  readonly orgId: string;
  readonly orgName?: string;
  readonly opportunityId: string;
  readonly opportunityType: string;
  readonly actionType: string;
  readonly confidence: number;
  readonly creditsReserved: number;
  readonly proposedAt: string;
  readonly revision: string | null;
}

export interface CommandResult {
  readonly success: true;
  readonly actionId: string;
  readonly status: string;
  readonly position: string | null;
  readonly revision: string | null;
}

export interface SchedulerRun {
  readonly runId: string;
  readonly instanceId: string;
  readonly scheduledFor: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly outcome: string | null;
  readonly orgs: number | null;
  readonly detections: number | null;
  readonly actionsProposed: number | null;
  readonly actionsExpired: number | null;
  readonly errors: readonly string[];
}

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number | string;
  readonly liveVersion: number | string | null;
  readonly state: string;
  readonly position: string | null;
  readonly lagEvents: number | null;
  readonly parkedCount: number;
  readonly haltedReason: string | null;
  readonly rebuild: { readonly version: number; readonly position: string | null } | null;
}

export interface ParkedEvent {
  readonly id: string;
  readonly projection: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly position: string;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: string;
}

// Allowed repeat (jscpd): the dashboard imports nothing of the server (dependency rule dashboard-is-self-contained); this is the API's response shape.
// jscpd:ignore-start
export interface OutboxEntry {
  readonly kind: string;
  readonly actionId: string;
  readonly orgId: string;
  readonly actionType: string;
  readonly channelKind: string;
  readonly state: string;
  readonly attempts: number;
  readonly queuedAt: string;
  readonly nextAttemptAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly lastError: string | null;
  readonly settledAt: string | null;
}
// jscpd:ignore-end

/** An estimate with its two-sided interval (GET /api/analytics/effect). */
export interface EffectInterval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

/** One arm of a play's experiment: treatment (the play ran) or control (the holdout). */
export interface EffectArm {
  readonly orgs: number;
  readonly conversions: number;
  readonly conversionRate: number | null;
  readonly realisedMrr: number;
}

/** How the report's figures are computed, in words the page shows as they are. */
export interface EffectMethod {
  readonly lift: string;
  readonly incrementalMrr: string;
  readonly minimumDetectableEffect: string;
  /** The fixed-horizon caveat: read the result once, at the end of the window. */
  readonly horizon: string;
  readonly minimumSamplePerArm: number;
  readonly confidence: number;
  readonly power: number;
}

/** One play's uplift (or the overall one: play "overall", no experiment). Lift is in proportion units (0.02 = 2 points). */
export interface EffectPlay {
  readonly play: string;
  readonly experimentId: string | null;
  readonly holdoutShare: number | null;
  readonly treatment: EffectArm;
  readonly control: EffectArm;
  readonly enoughData: boolean;
  readonly notEnoughDataReason: string | null;
  readonly lift: EffectInterval | null;
  readonly incrementalConversions: EffectInterval | null;
  readonly incrementalMrr: EffectInterval | null;
  readonly creditsSpent: number;
  readonly incrementalMrrPerCredit: number | null;
  readonly minimumDetectableEffect: number | null;
}

export interface EffectReport {
  readonly generatedAt: string;
  readonly method: EffectMethod;
  readonly observationWindowDays: number;
  readonly plays: readonly EffectPlay[];
  readonly overall: EffectPlay;
}

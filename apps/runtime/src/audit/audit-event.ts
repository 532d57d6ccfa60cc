import { formatPosition, StreamNotFoundError, type Actor, type EventStore, type RecordedEvent } from '#event-store';
import { revenueStreamName } from '#revenue';

/** One event of an org stream as auditors see it: the fact, who caused it, and why. */
export interface AuditEvent {
  readonly eventId: string;
  readonly type: string;
  /** Zero-based revision in the org stream (a string: int8 does not fit a JSON number). */
  readonly revision: string;
  /** `<commit>-<prepare>` in the global log. */
  readonly position: string;
  readonly occurredAt: string;
  readonly actor: Actor;
  readonly command: string | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly idempotencyKey: string | null;
  readonly ruleSetVersion: string | null;
  /** The fields that say what the event was about (ids, types, outcomes, credits): a timeline's columns. */
  readonly keyFields: Readonly<Record<string, unknown>>;
  /** The event's data as stored (detections include their evidence). */
  readonly data: unknown;
}

/** Per event type, the data fields worth a column; unknown types show none (their data is still in `data`). */
const KEY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'revenue.opportunity-detected.v1': ['opportunityId', 'opportunityType', 'confidence', 'source'],
  'revenue.opportunity-refreshed.v1': ['opportunityId', 'opportunityType', 'confidence'],
  'revenue.opportunity-closed.v1': ['opportunityId', 'opportunityType', 'outcome', 'reason'],
  'revenue.action-proposed.v1': ['actionId', 'opportunityId', 'actionType', 'creditsReserved'],
  'revenue.action-approved.v1': ['actionId'],
  'revenue.action-delivery-queued.v1': ['actionId', 'actionType', 'channelKind'],
  'revenue.action-rejected.v1': ['actionId', 'reason', 'creditsReleased'],
  'revenue.action-sent.v1': ['actionId', 'creditsCharged'],
  'revenue.action-failed.v1': ['actionId', 'reason', 'creditsReleased'],
  'revenue.action-outcome-recorded.v1': ['actionId', 'outcome'],
  'revenue.action-expired.v1': ['actionId', 'reason', 'creditsReleased'],
  'revenue.action-run-stopped.v1': ['why', 'opportunityId', 'creditsAvailable', 'creditsRequired'],
  'revenue.experiment-arm-assigned.v1': ['opportunityId', 'experimentId', 'arm', 'share'],
  'revenue.outcome-observed.v1': ['opportunityId', 'arm', 'converted', 'realisedMrr', 'windowEnd'],
};

export function keyFieldsOf(event: Pick<RecordedEvent, 'type' | 'data'>): Record<string, unknown> {
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
  return Object.fromEntries((KEY_FIELDS[event.type] ?? []).filter((key) => key in data).map((key) => [key, data[key]]));
}

export function toAuditEvent(event: RecordedEvent): AuditEvent {
  const m = event.metadata;
  return {
    eventId: m.eventId,
    type: event.type,
    revision: event.streamRevision.toString(),
    position: formatPosition(event.position),
    occurredAt: m.occurredAt,
    actor: m.actor,
    command: m.command ?? null,
    correlationId: m.correlationId,
    causationId: m.causationId ?? null,
    idempotencyKey: m.idempotencyKey ?? null,
    ruleSetVersion: m.ruleSetVersion ?? null,
    keyFields: keyFieldsOf(event),
    data: event.data,
  };
}

/**
 * Events about one opportunity: its detection, refreshes and close, and every event of its
 * actions (all carry `opportunityId`), including a trigger run that stopped at it.
 */
export function isAbout(opportunityId: string, event: { readonly data: unknown }): boolean {
  const data = event.data as { opportunityId?: unknown } | null;
  return typeof data === 'object' && data !== null && data.opportunityId === opportunityId;
}

/**
 * The org's revenue stream from the event store (the source of truth, not the read model), in
 * revision order. An org without events (or erased) reads as an empty history.
 */
export async function readOrgStream(
  store: EventStore,
  orgId: string,
  options: { readonly fromRevision?: bigint; readonly maxCount?: number } = {},
): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(revenueStreamName(orgId), options);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

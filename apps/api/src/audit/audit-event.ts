import { formatPosition, type Actor, type RecordedEvent } from '#event-store';

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
  /** The event's data as stored (detections include their evidence). */
  readonly data: unknown;
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

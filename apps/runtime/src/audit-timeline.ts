import { formatPosition, StreamNotFoundError, type Actor, type EventStore, type RecordedEvent } from '#event-store';
import { revenueStreamName } from '#revenue';

/** One event of an org stream as an operator reads it: when, what, who, and the few fields that say what it was about. */
export interface TimelineEntry {
  /** Zero-based revision in the org stream (a string: int8 does not fit a JSON number). */
  readonly revision: string;
  /** `<commit>-<prepare>` in the global log. */
  readonly position: string;
  /** ISO-8601, from the clock of the command that wrote the event. */
  readonly occurredAt: string;
  readonly type: string;
  readonly actor: Actor;
  readonly command: string | null;
  readonly correlationId: string;
  /** The fields that identify the event's subject and outcome (ids, types, reasons, credits). */
  readonly keyFields: Readonly<Record<string, unknown>>;
  /** The event's data as stored. */
  readonly data: unknown;
}

export interface TimelineFilter {
  /** Only events about this opportunity: its detection, refreshes and close, and its actions' events. */
  readonly opportunityId?: string;
  /** Only events that occurred at or before this instant. */
  readonly asOf?: Date;
}

/** Per event type, the data fields worth a column; unknown types show none (their data is still in `data`). */
const KEY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'revenue.opportunity-detected.v1': ['opportunityId', 'opportunityType', 'confidence', 'source'],
  'revenue.opportunity-refreshed.v1': ['opportunityId', 'opportunityType', 'confidence'],
  'revenue.opportunity-closed.v1': ['opportunityId', 'opportunityType', 'outcome', 'reason'],
  'revenue.action-proposed.v1': ['actionId', 'opportunityId', 'actionType', 'creditsReserved'],
  'revenue.action-approved.v1': ['actionId'],
  'revenue.action-rejected.v1': ['actionId', 'reason', 'creditsReleased'],
  'revenue.action-sent.v1': ['actionId', 'creditsCharged'],
  'revenue.action-failed.v1': ['actionId', 'reason', 'creditsReleased'],
  'revenue.action-outcome-recorded.v1': ['actionId', 'outcome'],
  'revenue.action-expired.v1': ['actionId', 'reason', 'creditsReleased'],
  'revenue.action-run-stopped.v1': ['why', 'opportunityId', 'creditsAvailable', 'creditsRequired'],
};

export function keyFieldsOf(event: Pick<RecordedEvent, 'type' | 'data'>): Record<string, unknown> {
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
  return Object.fromEntries((KEY_FIELDS[event.type] ?? []).filter((key) => key in data).map((key) => [key, data[key]]));
}

export function toTimelineEntry(event: RecordedEvent): TimelineEntry {
  return {
    revision: event.streamRevision.toString(),
    position: formatPosition(event.position),
    occurredAt: event.metadata.occurredAt,
    type: event.type,
    actor: event.metadata.actor,
    command: event.metadata.command ?? null,
    correlationId: event.metadata.correlationId,
    keyFields: keyFieldsOf(event),
    data: event.data,
  };
}

/**
 * The org's revenue history read from the event store (the source of truth, not the read
 * model), in revision order. An org without events (or erased) has an empty timeline.
 */
export async function readAuditTimeline(store: EventStore, orgId: string, filter: TimelineFilter = {}): Promise<TimelineEntry[]> {
  let events: RecordedEvent[];
  try {
    events = await store.readStream(revenueStreamName(orgId));
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  const opportunityId = filter.opportunityId?.toLowerCase();
  const until = filter.asOf?.getTime();
  return events
    .filter((e) => until === undefined || Date.parse(e.metadata.occurredAt) <= until)
    .filter((e) => opportunityId === undefined || (e.data as { opportunityId?: unknown } | null)?.opportunityId === opportunityId)
    .map(toTimelineEntry);
}

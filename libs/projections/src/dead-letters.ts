import { sql, type CommonQueryMethods } from '#database';
import type { RecordedEvent } from '#event-store';

/** Text stored for an error: its name and message (stack traces stay in the logs). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Parks an event the projection could not apply. Parking the same event again (after a resume
 * or during a rebuild) updates the row and accumulates the attempts.
 */
export async function parkEvent(
  db: CommonQueryMethods,
  projection: string,
  event: RecordedEvent,
  error: unknown,
  attempts: number,
): Promise<void> {
  await db.query(sql.unsafe`
    INSERT INTO projection_dead_letters
      (projection, event_id, event_type, stream_name, stream_revision, commit_position, prepare_position, error, attempts)
    VALUES (${projection}, ${event.metadata.eventId}, ${event.type}, ${event.streamName}, ${event.streamRevision},
            ${event.position.commit}, ${event.position.prepare}, ${describeError(error)}, ${attempts})
    ON CONFLICT (projection, event_id) DO UPDATE
    SET error = excluded.error, attempts = projection_dead_letters.attempts + excluded.attempts, parked_at = now()`);
}

export async function countParked(db: CommonQueryMethods, projections: readonly string[]): Promise<Map<string, number>> {
  const rows = await db.any(sql.unsafe`
    SELECT projection, count(*)::int AS parked FROM projection_dead_letters
    WHERE projection = ANY(${sql.array(projections, 'text')}) GROUP BY projection`);
  return new Map(rows.map((r) => [r.projection as string, r.parked as number]));
}

export interface ParkedEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly streamName: string;
  readonly error: string;
  readonly attempts: number;
}

/** For the CLI and tests: what is parked for a projection, oldest first. */
export async function listParked(db: CommonQueryMethods, projection: string): Promise<ParkedEvent[]> {
  const rows = await db.any(sql.unsafe`
    SELECT event_id AS "eventId", event_type AS "eventType", stream_name AS "streamName", error, attempts
    FROM projection_dead_letters WHERE projection = ${projection} ORDER BY commit_position, prepare_position`);
  return rows as ParkedEvent[];
}

/** A parked event as operators see it: ids, type, position and why; never the event's data. */
export interface ParkedEventView {
  /** The dead letter's id (a bigint, as text): the page cursor. */
  readonly id: string;
  readonly projection: string;
  readonly eventId: string;
  readonly eventType: string;
  /** The event's log position "<commit>-<prepare>" (formatPosition). */
  readonly position: string;
  readonly error: string;
  readonly attempts: number;
  /** ISO-8601 (milliseconds, UTC): when it was (last) parked. */
  readonly parkedAt: string;
}

/**
 * projection_dead_letters (migration 105) in log order (the order the CLI's `parked` lists them),
 * keyset on (commit_position, prepare_position, id): `after` is the id of the previous page's last
 * row (an id that is not there gives an empty page, never the first one). `projections` narrows
 * the list to those projections.
 */
export async function listParkedEvents(
  db: CommonQueryMethods,
  page: { readonly projections: readonly string[]; readonly limit: number; readonly after?: string },
): Promise<readonly ParkedEventView[]> {
  const after = page.after
    ? sql.fragment`AND (commit_position, prepare_position, id) >
        (SELECT a.commit_position, a.prepare_position, a.id FROM projection_dead_letters a WHERE a.id = ${page.after}::int8)`
    : sql.fragment``;
  const rows = await db.any(sql.unsafe`
    SELECT id::text AS id, projection, event_id AS "eventId", event_type AS "eventType",
           commit_position::text || '-' || prepare_position::text AS position, error, attempts,
           to_char(parked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "parkedAt"
    FROM projection_dead_letters
    WHERE projection = ANY(${sql.array(page.projections, 'text')}) ${after}
    ORDER BY commit_position, prepare_position, id
    LIMIT ${page.limit}`);
  return rows as readonly ParkedEventView[];
}

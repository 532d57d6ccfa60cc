import { z } from 'zod';
import { sql, type CommonQueryMethods } from '#database';

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

/** Types the rows, not checked at run time (see projections/revenue-read-model/queries/row-types.ts). */
const ParkedRow = z.object({
  id: z.string(),
  projection: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  position: z.string(),
  error: z.string(),
  attempts: z.number(),
  parkedAt: z.string(),
});

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
  return db.any(sql.type(ParkedRow)`
    SELECT id::text AS id, projection, event_id AS "eventId", event_type AS "eventType",
           commit_position::text || '-' || prepare_position::text AS position, error, attempts,
           to_char(parked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "parkedAt"
    FROM projection_dead_letters
    WHERE projection = ANY(${sql.array(page.projections, 'text')}) ${after}
    ORDER BY commit_position, prepare_position, id
    LIMIT ${page.limit}`);
}

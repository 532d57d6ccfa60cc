import { sql, type CommonQueryMethods } from '#database';
import type { AppendResult } from '../event-store.port.js';
import type { ValidAppend } from './validate-append.js';

interface WrittenRow {
  readonly idx: number;
  readonly revision: bigint;
  readonly commit: string;
  readonly prepare: bigint;
}

/**
 * Appends to many streams in ONE statement (one transaction, one round trip), each stream
 * atomically: the stream rows whose expectation holds are bumped, then their events are
 * inserted. Streams not written are absent from the result; appendBatch explains them.
 * Each stream name must occur at most once per call (one row cannot be bumped twice).
 *
 * Streams with an event id that is already stored are left out up front: they are retries
 * or duplicates, and inserting them would abort the whole statement on the unique index.
 */
export async function writeAppends(db: CommonQueryMethods, entries: readonly ValidAppend[]): Promise<Map<number, AppendResult>> {
  const streams = entries.map((entry, idx) => {
    const exact = typeof entry.expectedRevision === 'bigint';
    return [
      idx,
      entry.streamName,
      exact ? 'exact' : entry.expectedRevision,
      exact ? entry.expectedRevision : null,
      BigInt(entry.events.length),
    ];
  });
  const events = entries.flatMap((entry, idx) =>
    entry.serialized.map((event, ord) => [idx, BigInt(ord + 1), event.eventId, event.type, event.data, event.metadata]),
  );
  const rows = (await db.any(sql.unsafe`
    WITH input AS (
      SELECT * FROM ${sql.unnest(streams, ['int4', 'text', 'text', 'int8', 'int8'])} AS i(idx, stream_name, kind, expected, n)
    ),
    new_events AS (
      SELECT * FROM ${sql.unnest(events, ['int4', 'int8', 'uuid', 'text', 'jsonb', 'jsonb'])} AS e(idx, ord, event_id, event_type, data, metadata)
    ),
    seen AS (
      SELECT DISTINCT e.idx FROM new_events e JOIN event_store.events x USING (event_id)
    ),
    todo AS (
      SELECT * FROM input WHERE idx NOT IN (SELECT idx FROM seen)
    ),
    created AS (
      INSERT INTO event_store.streams (stream_name, revision)
      SELECT stream_name, n - 1 FROM todo WHERE kind = 'no_stream' ORDER BY stream_name
      ON CONFLICT (stream_name) DO NOTHING
      RETURNING stream_name, revision
    ),
    upserted AS (
      INSERT INTO event_store.streams AS s (stream_name, revision)
      SELECT stream_name, n - 1 FROM todo WHERE kind = 'any' ORDER BY stream_name
      ON CONFLICT (stream_name) DO UPDATE SET revision = s.revision + excluded.revision + 1
      RETURNING stream_name, revision
    ),
    advanced AS (
      UPDATE event_store.streams s SET revision = s.revision + t.n
      FROM todo t
      WHERE s.stream_name = t.stream_name
        AND (t.kind = 'stream_exists' OR (t.kind = 'exact' AND s.revision = t.expected))
      RETURNING s.stream_name, s.revision
    ),
    bumped AS (
      SELECT t.idx, t.stream_name, t.n, b.revision
      FROM todo t
      JOIN (SELECT * FROM created UNION ALL SELECT * FROM upserted UNION ALL SELECT * FROM advanced) b USING (stream_name)
    ),
    inserted AS (
      INSERT INTO event_store.events (stream_name, stream_revision, event_id, event_type, data, metadata)
      SELECT b.stream_name, b.revision - b.n + e.ord, e.event_id, e.event_type, e.data, e.metadata
      FROM new_events e JOIN bumped b USING (idx)
      -- identity values follow this order, so a stream's positions follow its revisions
      ORDER BY e.idx, e.ord
      RETURNING stream_name, global_position, transaction_id
    )
    SELECT b.idx, b.revision, w.commit, w.prepare
    FROM bumped b
    JOIN (
      SELECT stream_name, max(global_position) AS prepare, max(transaction_id)::text AS commit
      FROM inserted GROUP BY stream_name
    ) w USING (stream_name)
  `)) as readonly WrittenRow[];
  return new Map(
    rows.map((row) => [row.idx, { nextExpectedRevision: row.revision, position: { commit: BigInt(row.commit), prepare: row.prepare } }]),
  );
}

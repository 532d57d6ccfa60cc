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
 * How the events reach the statement. 'json' (the default): one JSON document per input,
 * read with jsonb_to_recordset, built by concatenating the strings validateAppends already
 * serialised. 'arrays': pg's array literals for `unnest`, which escape every JSON string
 * again (about 40 µs per event in node); kept callable for the bench's comparison.
 */
export type AppendTransport = 'json' | 'arrays';

type Fragment = ReturnType<typeof sql.fragment>;
/** The statement's two inputs: `input(idx, stream_name, kind, expected, n)` and `new_events(idx, ord, event_id, event_type, data, metadata)`. */
interface Inputs {
  readonly streams: Fragment;
  readonly events: Fragment;
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
export async function writeAppends(
  db: CommonQueryMethods,
  entries: readonly ValidAppend[],
  transport: AppendTransport = 'json',
): Promise<Map<number, AppendResult>> {
  const { streams, events } = transport === 'arrays' ? arrayInputs(entries) : jsonInputs(entries);
  const rows = (await db.any(sql.unsafe`
    WITH input AS (${streams}),
    new_events AS (${events}),
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

/**
 * The inputs as two JSON documents. data/metadata are JSON already and go in verbatim;
 * stream names and types are made well-formed first, so a lone surrogate becomes U+FFFD as
 * it does in pg's UTF-8 encoding of a text parameter (JSON.stringify would escape it, and
 * jsonb refuses an escaped lone surrogate). Event ids are validated lower-case UUIDs.
 */
function jsonInputs(entries: readonly ValidAppend[]): Inputs {
  const streams: string[] = [];
  const events: string[] = [];
  entries.forEach((entry, idx) => {
    const exact = typeof entry.expectedRevision === 'bigint';
    const kind = exact ? 'exact' : (entry.expectedRevision as string);
    const expected = exact ? String(entry.expectedRevision) : 'null';
    streams.push(`{"i":${idx},"s":${jsonText(entry.streamName)},"k":"${kind}","x":${expected},"n":${entry.events.length}}`);
    entry.serialized.forEach((event, ord) => {
      events.push(
        `{"i":${idx},"o":${ord + 1},"id":"${event.eventId}","t":${jsonText(event.type)},"d":${event.data},"m":${event.metadata}}`,
      );
    });
  });
  return {
    streams: sql.fragment`
      SELECT i AS idx, s AS stream_name, k AS kind, x AS expected, n
      FROM jsonb_to_recordset(${`[${streams.join(',')}]`}::jsonb) AS r(i int4, s text, k text, x int8, n int8)`,
    events: sql.fragment`
      SELECT i AS idx, o AS ord, id AS event_id, t AS event_type, d AS data, m AS metadata
      FROM jsonb_to_recordset(${`[${events.join(',')}]`}::jsonb) AS r(i int4, o int8, id uuid, t text, d jsonb, m jsonb)`,
  };
}

// With the u flag a surrogate range matches only unpaired surrogates (a pair is one code point).
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const LONE_SURROGATES = /[\uD800-\uDFFF]/gu;

function jsonText(value: string): string {
  return JSON.stringify(LONE_SURROGATE.test(value) ? value.replace(LONE_SURROGATES, '\uFFFD') : value);
}

/** The inputs as pg array literals for `unnest` (the transport before 'json'). */
function arrayInputs(entries: readonly ValidAppend[]): Inputs {
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
  return {
    streams: sql.fragment`
      SELECT * FROM ${sql.unnest(streams, ['int4', 'text', 'text', 'int8', 'int8'])} AS i(idx, stream_name, kind, expected, n)`,
    events: sql.fragment`
      SELECT * FROM ${sql.unnest(events, ['int4', 'int8', 'uuid', 'text', 'jsonb', 'jsonb'])} AS e(idx, ord, event_id, event_type, data, metadata)`,
  };
}

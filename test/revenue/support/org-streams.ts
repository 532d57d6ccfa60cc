import { createHash } from 'node:crypto';
import { sql } from '#database';
import { revenueStreamName } from '#revenue';
import type { RevenueHarness } from './revenue-harness.js';

/** A fixed org id (md5 of `seed` and `i`), so every database of a test holds the same fleet. */
export function fixedOrgId(seed: string, i: number): string {
  const hex = createHash('md5').update(`${seed}-${i}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface StoredEvent {
  readonly stream: string;
  readonly type: string;
  readonly data: unknown;
  readonly correlationId: string;
}

/** Every event of the org streams, by stream and revision. */
export async function revenueEvents(h: RevenueHarness): Promise<StoredEvent[]> {
  const prefix = revenueStreamName('x').slice(0, -1);
  return (await h.db.pool.any(sql.unsafe`
    SELECT stream_name AS stream, event_type AS type, data, metadata->>'correlationId' AS "correlationId"
    FROM event_store.events WHERE starts_with(stream_name, ${prefix})
    ORDER BY stream_name, stream_revision`)) as unknown as StoredEvent[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Per org, the sequence of (type, data) with the ids the decisions draw (opportunity, action ids)
 * replaced by their order of first appearance in the stream: references between events still
 * compare, the random values do not. The org ids (`keep`) stay: they are the same in every database.
 */
export function normalise(events: readonly StoredEvent[], keep: readonly string[]): Map<string, unknown[]> {
  const byStream = new Map<string, unknown[]>();
  const idsByStream = new Map<string, Map<string, string>>();
  for (const e of events) {
    const ids = idsByStream.get(e.stream) ?? new Map<string, string>();
    idsByStream.set(e.stream, ids);
    const strip = (value: unknown): unknown => {
      if (typeof value === 'string' && UUID.test(value) && !keep.includes(value)) {
        if (!ids.has(value)) ids.set(value, `id#${ids.size}`);
        return ids.get(value);
      }
      if (Array.isArray(value)) return value.map(strip);
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
      return value;
    };
    byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), [e.type, strip(e.data)]]);
  }
  return byStream;
}

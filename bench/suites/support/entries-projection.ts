import { sql, type CommonQueryMethods } from '#database';
import type { Projection, ProjectionLogger } from '#projection-runner';
import { BENCH_EVENT_TYPE } from './events.js';

/** The fields of the bench event (benchEvent in events.ts) that this read model stores. */
interface BenchEvent {
  readonly type: typeof BENCH_EVENT_TYPE;
  readonly data: { readonly amount: number; readonly orgId: string; readonly confidence: number };
}

/**
 * The bench read model: one row per event (like revenue_opportunities, one per detection) and
 * a per-stream counter upserted per batch (like revenue_org_streams): one set-based statement
 * per batch, whatever its size. Without `rowPerEvent` only the counters are kept: what the
 * runner and the log read cost when applying is cheap.
 */
export function entriesProjection(options: { readonly name?: string; readonly rowPerEvent?: boolean } = {}): Projection<BenchEvent> {
  const rowPerEvent = options.rowPerEvent ?? true;
  return {
    name: options.name ?? 'bench-entries',
    version: 1,
    eventTypes: [BENCH_EVENT_TYPE],
    tables: rowPerEvent ? ['bench_streams', 'bench_entries'] : ['bench_streams'],
    onError: 'halt',
    async apply(tx, events, tables) {
      const rows = events.map((e) => [e.metadata.eventId, e.streamName, e.data.orgId, e.data.amount, e.data.confidence]);
      // One statement: the rows cross the wire once, the counter upsert reads them from the CTE.
      const entries = rowPerEvent
        ? sql.fragment`, entries AS (INSERT INTO ${tables.of('bench_entries')} (id, stream, org_id, amount, confidence) SELECT * FROM u)`
        : sql.fragment``;
      await tx.query(sql.unsafe`
        WITH u AS (
          SELECT * FROM ${sql.unnest(rows, ['uuid', 'text', 'uuid', 'int8', 'numeric'])} AS u(id, stream, org_id, amount, confidence)
        ) ${entries}
        INSERT INTO ${tables.of('bench_streams')} AS s (stream, events, total)
        SELECT stream, count(*), sum(amount) FROM u GROUP BY stream
        ON CONFLICT (stream) DO UPDATE SET events = s.events + excluded.events, total = s.total + excluded.total`);
    },
  };
}

/** (Re)creates the live tables empty and forgets the projection's checkpoint: the next runner starts from zero. */
export async function resetEntries(db: CommonQueryMethods, name = 'bench-entries'): Promise<void> {
  await db.query(sql.unsafe`DROP TABLE IF EXISTS bench_entries, bench_streams`);
  await db.query(sql.unsafe`CREATE TABLE bench_streams (stream text PRIMARY KEY, events bigint NOT NULL, total bigint NOT NULL)`);
  await db.query(sql.unsafe`
    CREATE TABLE bench_entries (id uuid PRIMARY KEY, stream text NOT NULL, org_id uuid NOT NULL, amount bigint NOT NULL, confidence numeric NOT NULL)`);
  await db.query(sql.unsafe`CREATE INDEX bench_entries_stream_idx ON bench_entries (stream)`);
  await db.query(sql.unsafe`DELETE FROM projection_checkpoints WHERE name = ${name}`);
}

/** Checks the read model is complete: a bench number is worthless if the projection lost or doubled events. */
export async function assertEntries(db: CommonQueryMethods, expected: number, rowPerEvent = true): Promise<void> {
  const row = await db.one(sql.unsafe`
    SELECT (SELECT count(*) FROM bench_entries) AS entries, (SELECT coalesce(sum(events), 0) FROM bench_streams) AS counted`);
  if ((rowPerEvent && Number(row.entries) !== expected) || Number(row.counted) !== expected) {
    throw new Error(`bench read model has ${String(row.entries)} entries / ${String(row.counted)} counted, expected ${expected}`);
  }
}

export const quietLogger: ProjectionLogger = {
  info: () => undefined,
  warn: (fields, message) => console.error(`  [projection warn] ${message}`, fields),
  error: (fields, message) => console.error(`  [projection error] ${message}`, fields),
};

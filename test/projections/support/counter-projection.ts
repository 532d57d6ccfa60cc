import { sql, type CommonQueryMethods, type DatabasePool } from '#database';
import type { RecordedEvent } from '#event-store';
import type { OnErrorPolicy, Projection } from '#projection-runner';

export const COUNTED = 'test.counted.v1';
export const UNRELATED = 'test.unrelated.v1';

/** The event the test projections handle (see `counted` in log.ts). */
export interface Counted {
  readonly type: typeof COUNTED;
  readonly data: { readonly amount: number };
}

export interface CounterOptions {
  readonly name?: string;
  readonly table?: string;
  readonly version?: number;
  readonly onError?: OnErrorPolicy;
  /** Events whose `amount` is in this set make apply throw (a poison event). */
  readonly poison?: ReadonlySet<number>;
  /** Slows each batch down (pg_sleep), so a test can act mid-way. */
  readonly sleepMsPerBatch?: number;
  /** Throws AFTER writing on the first call: the write must roll back with the batch. */
  readonly failOnceAfterWrite?: { failed: boolean };
}

/**
 * A read model that double-counts if a batch were applied twice and under-counts if one were
 * lost: per stream, the number of events and the sum of their amounts.
 */
export function counterProjection(options: CounterOptions = {}): Projection<Counted> {
  const table = options.table ?? 'test_counters';
  return {
    name: options.name ?? 'test-counters',
    version: options.version ?? 1,
    eventTypes: [COUNTED],
    tables: [table],
    onError: options.onError ?? 'halt',
    async apply(tx, events, tables) {
      const amounts = events.map((e) => amountOf(e));
      if (amounts.some((a) => options.poison?.has(a))) throw new Error(`poison amount in batch`);
      const t = tables.of(table);
      await tx.query(sql.unsafe`
        INSERT INTO ${t} AS c (stream, events, total)
        SELECT stream, count(*), sum(amount) FROM ${sql.unnest(
          events.map((e, i) => [e.streamName, amounts[i]!]),
          ['text', 'int8'],
        )} AS u(stream, amount)
        GROUP BY stream
        ON CONFLICT (stream) DO UPDATE SET events = c.events + excluded.events, total = c.total + excluded.total`);
      if (options.sleepMsPerBatch) await tx.query(sql.unsafe`SELECT pg_sleep(${options.sleepMsPerBatch / 1000})`);
      if (options.failOnceAfterWrite && !options.failOnceAfterWrite.failed) {
        options.failOnceAfterWrite.failed = true;
        throw new Error('simulated crash after the write, before the commit');
      }
    },
  };
}

function amountOf(event: RecordedEvent): number {
  const amount = (event.data as { amount?: unknown }).amount;
  if (typeof amount !== 'number') throw new TypeError(`event ${event.metadata.eventId} has no numeric amount`);
  return amount;
}

export async function createCounterTable(db: CommonQueryMethods, table = 'test_counters'): Promise<void> {
  await db.query(sql.unsafe`
    CREATE TABLE ${sql.identifier([table])} (stream text PRIMARY KEY, events bigint NOT NULL, total bigint NOT NULL)`);
}

export type Counters = Record<string, { events: number; total: number }>;

export async function readCounters(db: DatabasePool, table = 'test_counters'): Promise<Counters> {
  const rows = await db.any(sql.unsafe`SELECT stream, events, total FROM ${sql.identifier([table])} ORDER BY stream`);
  return Object.fromEntries(rows.map((r) => [r.stream as string, { events: Number(r.events), total: Number(r.total) }]));
}

/** The expected read model, folded in memory from the events themselves. */
export function foldCounters(events: readonly RecordedEvent[], skipAmounts: ReadonlySet<number> = new Set()): Counters {
  const counters: Counters = {};
  for (const event of events) {
    if (event.type !== COUNTED) continue;
    const amount = amountOf(event);
    if (skipAmounts.has(amount)) continue;
    const c = (counters[event.streamName] ??= { events: 0, total: 0 });
    c.events += 1;
    c.total += amount;
  }
  return Object.fromEntries(Object.entries(counters).sort(([a], [b]) => (a < b ? -1 : 1)));
}

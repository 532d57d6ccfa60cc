import { randomUUID } from 'node:crypto';
import { createDatabasePool, type DatabasePool } from '../../libs/database/src/index.js';
import { PostgresEventStore, type NewEvent } from '../../libs/event-store/src/index.js';
import { metric, type BenchContext, type Metric, type Suite } from '../harness.js';
import { describeSplit, measureCpu } from './support/cpu.js';
import { benchEvent } from './support/events.js';

/** One way of appending, measured as events per second over `events` events. */
interface Variant {
  readonly name: string;
  readonly events: number;
  readonly target?: string;
  /** Appends exactly `events` events. */
  run(store: PostgresEventStore): Promise<void>;
}

const WRITERS = 8;

const variants: Variant[] = [
  { name: 'single-event append, 1 writer, sequential', events: 600, run: (s) => appendToOneStream(s, 600, 1) },
  {
    name: `single-event append, ${WRITERS} concurrent writers (distinct streams)`,
    events: WRITERS * 250,
    run: (s) => Promise.all(Array.from({ length: WRITERS }, () => appendToOneStream(s, 250, 1))).then(() => undefined),
  },
  { name: 'batched append, 100 events per call', events: 20_000, run: (s) => appendToOneStream(s, 20_000, 100) },
  { name: 'batched append, 1000 events per call', events: 40_000, target: '>= 20000', run: (s) => appendToOneStream(s, 40_000, 1000) },
  {
    name: 'appendMany, 5000 new streams x 2 events per call (a sweep page)',
    events: 60_000,
    target: '>= 20000',
    run: (s) => appendManyNewStreams(s, 6, 5000, 2),
  },
];

/** Sequential appends of `perCall` events to one new stream, each with the exact expected revision. */
async function appendToOneStream(store: PostgresEventStore, events: number, perCall: number): Promise<void> {
  const stream = `bench-append-${randomUUID()}`;
  let expected: bigint | 'no_stream' = 'no_stream';
  for (let done = 0; done < events; done += perCall) {
    const batch = Array.from({ length: Math.min(perCall, events - done) }, (_, k) => benchEvent(done + k));
    expected = (await store.append(stream, batch, expected)).nextExpectedRevision;
  }
}

async function appendManyNewStreams(store: PostgresEventStore, calls: number, streams: number, perStream: number): Promise<void> {
  for (let c = 0; c < calls; c++) {
    const batch = Array.from({ length: streams }, (_, k) => ({
      streamName: `bench-many-${randomUUID()}`,
      events: Array.from({ length: perStream }, (_, j): NewEvent => benchEvent(k * perStream + j)),
      expectedRevision: 'no_stream' as const,
    }));
    const failed = (await store.appendMany(batch)).find((r) => r instanceof Error);
    if (failed) throw failed;
  }
}

export const eventStoreAppend: Suite = {
  name: 'event-store-append',
  description: 'PostgresEventStore appends: single events (sequential and concurrent), batches, appendMany across streams',
  async run(ctx: BenchContext): Promise<Metric[]> {
    const url = await ctx.freshDatabase();
    const pool = await createDatabasePool(url);
    const store = new PostgresEventStore({ pool, connectionUrl: url });
    const samples = new Map<Variant, number[]>(variants.map((v) => [v, []]));
    try {
      // Warm-up: connections, plan caches, the first pages of each index.
      for (const v of variants) await v.run(store);
      for (let round = 1; round <= ctx.rounds; round++) {
        for (const v of variants) {
          const rate = await measure(pool, store, v, ctx, round);
          samples.get(v)!.push(rate);
        }
      }
    } finally {
      await store.close();
      await pool.end();
    }
    return variants.map((v) => metric(v.name, 'events/s', samples.get(v)!, v.target ? { target: v.target } : {}));
  },
};

async function measure(pool: DatabasePool, store: PostgresEventStore, v: Variant, ctx: BenchContext, round: number): Promise<number> {
  const { split } = await measureCpu(pool, () => v.run(store));
  const rate = v.events / split.wallS;
  ctx.log(`round ${round} ${v.name}: ${Math.round(rate)} events/s (${describeSplit(split)})`);
  return rate;
}

import { randomUUID } from 'node:crypto';
import { createDatabasePool, type DatabasePool } from '#database';
import { PostgresEventStore, type NewEvent, type StreamAppend } from '#event-store';
import { metric, type BenchContext, type Metric, type Suite } from '../harness.js';
import { describeSplit, measureCpu } from './support/cpu.js';
import { benchEvent } from './support/events.js';

/** One way of appending `events` events; `prepare` builds them outside the timed part. */
interface Variant {
  readonly name: string;
  readonly events: number;
  readonly target?: string;
  prepare(): (store: PostgresEventStore) => Promise<void>;
}

const WRITERS = 8;
const TARGET = '>= 20000';

const variants: Variant[] = [
  { name: 'single-event append, 1 writer, sequential', events: 500, prepare: () => oneStream(500, 1) },
  {
    name: `single-event append, ${WRITERS} concurrent writers (distinct streams)`,
    events: WRITERS * 200,
    prepare: () => {
      const writers = Array.from({ length: WRITERS }, () => oneStream(200, 1));
      return async (store) => void (await Promise.all(writers.map((write) => write(store))));
    },
  },
  { name: 'batched append, 100 events per call', events: 20_000, prepare: () => oneStream(20_000, 100) },
  { name: 'batched append, 1000 events per call', events: 40_000, target: TARGET, prepare: () => oneStream(40_000, 1000) },
  {
    name: 'batched append, 1000 events per call, 4 concurrent writers',
    events: 40_000,
    target: TARGET,
    prepare: () => {
      const writers = Array.from({ length: 4 }, () => oneStream(10_000, 1000));
      return async (store) => void (await Promise.all(writers.map((write) => write(store))));
    },
  },
  { name: 'appendMany, 1000 new streams x 2 events per call', events: 40_000, target: TARGET, prepare: () => manyStreams(20, 1000, 2) },
  {
    name: 'appendMany, 5000 new streams x 2 events per call (a sweep page)',
    events: 40_000,
    target: TARGET,
    prepare: () => manyStreams(4, 5000, 2),
  },
];

/** Sequential appends of `perCall` events to one new stream, each with the exact expected revision (a command's pattern). */
function oneStream(events: number, perCall: number): (store: PostgresEventStore) => Promise<void> {
  const stream = `bench-append-${randomUUID()}`;
  const calls = Array.from({ length: Math.ceil(events / perCall) }, (_, c) =>
    Array.from({ length: Math.min(perCall, events - c * perCall) }, (_, k) => benchEvent(c * perCall + k)),
  );
  return async (store) => {
    let expected: bigint | 'no_stream' = 'no_stream';
    for (const batch of calls) expected = (await store.append(stream, batch, expected)).nextExpectedRevision;
  };
}

function manyStreams(calls: number, streams: number, perStream: number): (store: PostgresEventStore) => Promise<void> {
  const batches = Array.from({ length: calls }, (): StreamAppend[] =>
    Array.from({ length: streams }, (_, k) => ({
      streamName: `bench-many-${randomUUID()}`,
      events: Array.from({ length: perStream }, (_, j): NewEvent => benchEvent(k * perStream + j)),
      expectedRevision: 'no_stream' as const,
    })),
  );
  return async (store) => {
    for (const batch of batches) {
      const failed = (await store.appendMany(batch)).find((r) => r instanceof Error);
      if (failed) throw failed;
    }
  };
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
      // Warm-up (connections, plans, the first index pages), not counted.
      for (const v of variants) await v.prepare()(store);
      for (let round = 1; round <= ctx.rounds; round++) {
        for (const v of variants) samples.get(v)!.push(await measure(pool, store, v, ctx, round));
      }
    } finally {
      await store.close();
      await pool.end();
    }
    return variants.map((v) => metric(v.name, 'events/s', samples.get(v)!, v.target ? { target: v.target } : {}));
  },
};

async function measure(pool: DatabasePool, store: PostgresEventStore, v: Variant, ctx: BenchContext, round: number): Promise<number> {
  const run = v.prepare();
  const { split } = await measureCpu(pool, () => run(store));
  const rate = v.events / split.wallS;
  ctx.log(`round ${round} ${v.name}: ${Math.round(rate)} events/s (${describeSplit(split)})`);
  return rate;
}

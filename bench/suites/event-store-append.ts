import { randomUUID } from 'node:crypto';
import { createDatabasePool, type DatabasePool } from '#database';
import { PostgresEventStore, type NewEvent, type PostgresEventStoreOptions, type StreamAppend } from '#event-store';
import { metric, type BenchContext, type Metric, type Suite } from '../harness.js';
import { describeSplit, measureCpu } from './support/cpu.js';
import { benchEvent } from './support/events.js';

/** One way of appending `events` events; `prepare` builds them outside the timed part. */
interface Variant {
  readonly name: string;
  readonly events: number;
  readonly target?: string;
  /** The store's append transport; default 'json' (the store's own default). */
  readonly transport?: AppendTransport;
  /** The store's appendConcurrency; default: the store's own default. */
  readonly concurrency?: number;
  /** Also report the median latency of one call (ms), under this metric name. */
  readonly latencyMetric?: string;
  /** `latencies` (optional) receives each call's latency in ms. */
  prepare(latencies?: number[]): (store: PostgresEventStore) => Promise<void>;
}

type AppendTransport = NonNullable<PostgresEventStoreOptions['appendTransport']>;

const WRITERS = 8;
const TARGET = '>= 20000';

const variants: Variant[] = [
  {
    name: 'single-event append, 1 writer, sequential',
    events: 500,
    latencyMetric: 'single-event append, 1 writer, sequential: p50 latency',
    prepare: (latencies) => oneStream(500, 1, latencies),
  },
  {
    name: `single-event append, ${WRITERS} concurrent writers (distinct streams)`,
    events: WRITERS * 200,
    prepare: () => {
      const writers = Array.from({ length: WRITERS }, () => oneStream(200, 1));
      return async (store) => void (await Promise.all(writers.map((write) => write(store))));
    },
  },
  { name: 'batched append, 100 events per call', events: 20_000, prepare: () => oneStream(20_000, 100) },
  { name: 'batched append, 1000 events per call', events: 40_000, target: '>= 25000', prepare: () => oneStream(40_000, 1000) },
  // The earlier transport (pg array literals for unnest), measured next to the default in each round.
  {
    name: 'batched append, 1000 events per call [arrays transport]',
    events: 40_000,
    transport: 'arrays',
    prepare: () => oneStream(40_000, 1000),
  },
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
  // The sweep page with its statements one at a time (as before appendConcurrency) and with more in flight.
  ...[1, 2].map((concurrency): Variant => ({
    name: `appendMany, 5000 new streams x 2 events per call [appendConcurrency ${concurrency}]`,
    events: 40_000,
    concurrency,
    prepare: () => manyStreams(4, 5000, 2),
  })),
  {
    name: 'appendMany, 5000 new streams x 2 events per call [arrays transport]',
    events: 40_000,
    transport: 'arrays',
    concurrency: 1,
    prepare: () => manyStreams(4, 5000, 2),
  },
];

/** Sequential appends of `perCall` events to one new stream, each with the exact expected revision (a command's pattern). */
function oneStream(events: number, perCall: number, latencies?: number[]): (store: PostgresEventStore) => Promise<void> {
  const stream = `bench-append-${randomUUID()}`;
  const calls = Array.from({ length: Math.ceil(events / perCall) }, (_, c) =>
    Array.from({ length: Math.min(perCall, events - c * perCall) }, (_, k) => benchEvent(c * perCall + k)),
  );
  return async (store) => {
    let expected: bigint | 'no_stream' = 'no_stream';
    for (const batch of calls) {
      const start = performance.now();
      expected = (await store.append(stream, batch, expected)).nextExpectedRevision;
      latencies?.push(performance.now() - start);
    }
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
    const stores = new Map<string, PostgresEventStore>();
    const storeOf = (v: Variant): PostgresEventStore => {
      const key = `${v.transport ?? 'json'}/${v.concurrency ?? 'default'}`;
      if (!stores.has(key)) {
        const concurrency = v.concurrency === undefined ? {} : { appendConcurrency: v.concurrency };
        stores.set(key, new PostgresEventStore({ pool, connectionUrl: url, appendTransport: v.transport ?? 'json', ...concurrency }));
      }
      return stores.get(key)!;
    };
    const samples = new Map<Variant, number[]>(variants.map((v) => [v, []]));
    const latencySamples = new Map<Variant, number[]>();
    try {
      // Warm-up (connections, plans, the first index pages), not counted.
      for (const v of variants) await v.prepare()(storeOf(v));
      for (let round = 1; round <= ctx.rounds; round++) {
        // alternate the order, so no variant always runs right after the same other one
        for (const v of round % 2 ? variants : [...variants].reverse()) {
          const latencies: number[] = [];
          samples.get(v)!.push(await measure(pool, storeOf(v), v, ctx, round, latencies));
          if (v.latencyMetric) latencySamples.set(v, [...(latencySamples.get(v) ?? []), median(latencies)]);
        }
      }
    } finally {
      for (const store of stores.values()) await store.close();
      await pool.end();
    }
    return variants.flatMap((v) => [
      metric(v.name, 'events/s', samples.get(v)!, v.target ? { target: v.target } : {}),
      ...(v.latencyMetric ? [metric(v.latencyMetric, 'ms', latencySamples.get(v)!)] : []),
    ]);
  },
};

async function measure(
  pool: DatabasePool,
  store: PostgresEventStore,
  v: Variant,
  ctx: BenchContext,
  round: number,
  latencies: number[],
): Promise<number> {
  const run = v.prepare(latencies);
  const { split } = await measureCpu(pool, () => run(store));
  const rate = v.events / split.wallS;
  const p50 = v.latencyMetric ? `, p50 ${median(latencies).toFixed(2)} ms` : '';
  ctx.log(`round ${round} ${v.name}: ${Math.round(rate)} events/s${p50} (${describeSplit(split)})`);
  return rate;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

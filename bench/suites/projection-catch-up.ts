import { createDatabasePool, type DatabasePool } from '#database';
import { PostgresEventStore, type LogPosition } from '#event-store';
import { ProjectionRunner } from '#projection-runner';
import { metric, type BenchContext, type Metric, type Suite } from '../harness.js';
import { describeSplit, measureCpu, type CpuSplit } from './support/cpu.js';
import { assertEntries, entriesProjection, quietLogger, resetEntries } from './support/entries-projection.js';
import { BENCH_EVENT_TYPE, seedLog } from './support/events.js';

const EVENTS = 200_000;
const STREAMS = 1000;
const DEFAULT_BATCH = 5000; // libs/projections defaultSettings.batchSize
/** The batch size the default is weighed against: every round, alternating which goes first. */
const RIVAL_BATCH = 2000;

/**
 * A fresh ProjectionRunner catching a real-table projection up from zero over a 200k-event log,
 * with the default batch size and RIVAL_BATCH (every round, alternating which goes first),
 * batches of 500 and a counters-only model (up to 2 rounds each), plus the bare read speed of
 * the log (the ceiling if applying were free).
 */
export const projectionCatchUp: Suite = {
  name: 'projection-catch-up',
  description: `ProjectionRunner catch-up from zero: ${EVENTS.toLocaleString('en-US')} events into a two-table read model`,
  async run(ctx: BenchContext): Promise<Metric[]> {
    const url = await ctx.freshDatabase();
    const pool = await createDatabasePool(url);
    const store = new PostgresEventStore({ pool, connectionUrl: url });
    try {
      const seeded = performance.now();
      const head = await seedLog(pool, EVENTS, { streams: STREAMS });
      ctx.log(`log seeded (set-based INSERT): ${EVENTS} events in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
      const few = Math.min(ctx.rounds, 2);
      const plan: Variant[] = [
        { name: `catch-up from zero, batchSize ${DEFAULT_BATCH} (default)`, batch: DEFAULT_BATCH, rowPerEvent: true, rounds: ctx.rounds },
        { name: `catch-up from zero, batchSize ${RIVAL_BATCH}`, batch: RIVAL_BATCH, rowPerEvent: true, rounds: ctx.rounds },
        { name: 'catch-up from zero, batchSize 500', batch: 500, rowPerEvent: true, rounds: few },
        {
          name: `catch-up from zero, batchSize ${DEFAULT_BATCH}, counters only (no row per event)`,
          batch: DEFAULT_BATCH,
          rowPerEvent: false,
          rounds: few,
        },
      ];
      const samples = new Map<Variant, number[]>(plan.map((p) => [p, []]));
      const reads: number[] = [];
      for (let round = 1; round <= ctx.rounds; round++) {
        const [first, second, ...rest] = plan;
        for (const p of round % 2 ? [first!, second!, ...rest] : [second!, first!, ...rest]) {
          if (round > p.rounds) continue;
          const split = await catchUp(pool, store, url, head, p);
          ctx.log(`round ${round} ${p.name}: ${Math.round(EVENTS / split.wallS)} events/s (${describeSplit(split)})`);
          samples.get(p)!.push(EVENTS / split.wallS);
        }
        if (round <= few) {
          const { split } = await measureCpu(pool, () => readWholeLog(store));
          ctx.log(
            `round ${round} readAll only, pages of ${DEFAULT_BATCH}: ${Math.round(EVENTS / split.wallS)} events/s (${describeSplit(split)})`,
          );
          reads.push(EVENTS / split.wallS);
        }
      }
      return [
        ...plan.map((p) => metric(p.name, 'events/s', samples.get(p)!, p.rowPerEvent ? { target: '>= 60000' } : {})),
        metric(`log read only (readAll pages of ${DEFAULT_BATCH}, no apply)`, 'events/s', reads),
      ];
    } finally {
      await store.close();
      await pool.end();
    }
  },
};

interface Variant {
  readonly name: string;
  readonly batch: number;
  readonly rowPerEvent: boolean;
  readonly rounds: number;
}

/** From empty tables and no checkpoint to "waitFor(head) is true", with a fresh runner. */
async function catchUp(pool: DatabasePool, store: PostgresEventStore, url: string, head: LogPosition, variant: Variant): Promise<CpuSplit> {
  const { batch: batchSize, rowPerEvent } = variant;
  await resetEntries(pool);
  const projection = entriesProjection({ rowPerEvent });
  const runner = new ProjectionRunner({ store, pool, connectionUrl: url, projections: [projection], batchSize, logger: quietLogger });
  try {
    const { result: reached, split } = await measureCpu(pool, async () => {
      runner.start();
      return runner.waitFor(projection.name, head, 600_000);
    });
    if (!reached) throw new Error(`catch-up with batches of ${batchSize} did not reach the head`);
    await assertEntries(pool, EVENTS, rowPerEvent);
    return split;
  } finally {
    await runner.stop();
  }
}

async function readWholeLog(store: PostgresEventStore): Promise<void> {
  let after: LogPosition | undefined;
  let read = 0;
  for (;;) {
    const page = await store.readAll({ ...(after ? { after } : {}), eventTypes: [BENCH_EVENT_TYPE], maxCount: DEFAULT_BATCH });
    read += page.length;
    after = page.at(-1)?.position ?? after;
    if (page.length < DEFAULT_BATCH) break;
  }
  if (read !== EVENTS) throw new Error(`read ${read} events, expected ${EVENTS}`);
}

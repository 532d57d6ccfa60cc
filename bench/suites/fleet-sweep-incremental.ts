import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createDatabasePool, sql, type DatabasePool } from '#database';
import { parsePosition, PostgresEventStore, type LogPosition } from '#event-store';
import type { ProjectionRunner } from '#projection-runner';
import { allProjections } from '#read-models';
import { SweepFleet, SweepFleetHandler, type RevenueDeps, type SweepResult } from '#revenue-commands';
import { defaultRuleSet } from '#revenue';
import { metric, type BenchContext, type Metric, type Suite } from '../harness.js';
import { describeSplit, measureCpu, type CpuSplit } from './support/cpu.js';
import { seedLog } from './support/events.js';
import { FLEET_AS_OF, FLEET_HISTORY_EVENTS, liveProjections, seededFleetDatabase } from './fleet-sweep/sweep-round.js';

const ORGS = 100_000;
const HISTORY_ORGS = 20_000;
const MINUTE_MS = 60_000;
/**
 * The seeded rows are at FLEET_AS_OF - d days + 1 h (+ 13 h for some): runs between FLEET_AS_OF + 2 h and + 3 h
 * slide the windows' starts over none of them, so what a run decides is what the variant changed.
 * (In production, rows spread over the day: an hourly run's slide passes ~1/24 of a day's rows.)
 */
const FIRST_RUN = new Date(FLEET_AS_OF.getTime() + 2 * 60 * MINUTE_MS);
const STEP_MS = 3 * MINUTE_MS;
const INCREMENTAL = { fullEveryMs: 24 * 60 * MINUTE_MS };

interface Fleet {
  readonly pool: DatabasePool;
  readonly store: PostgresEventStore;
  readonly runner: ProjectionRunner;
  readonly handler: SweepFleetHandler;
  readonly clock: { now: Date };
  readonly orgIds: readonly string[];
  close(): Promise<void>;
}

interface Timed {
  readonly result: SweepResult;
  /** SweepFleet and every projection caught up with what it wrote. */
  readonly full: CpuSplit;
  readonly sweepS: number;
}

/**
 * Issue 13, target 2: the incremental sweep (SweepFleet with `incremental`) decides only the orgs
 * whose inputs changed. On 100,000 orgs x 60 days: 1 % of the orgs with a new usage row, against
 * 100 % with one, against a full sweep of the same state, alternated per round; and on 20,000
 * orgs (the same ids) with 60 and with 365 days of history behind them, 1 % changed. Every run
 * includes the projections catching up with what it wrote; the clock moves 3 minutes per run.
 */
export const fleetSweepIncremental: Suite = {
  name: 'fleet-sweep-incremental',
  description: `incremental SweepFleet: 1 % vs 100 % of ${ORGS.toLocaleString('en-US')} orgs changed; 60 vs 365 days of history`,
  async run(ctx: BenchContext): Promise<Metric[]> {
    const big = await openFleet(ctx, { orgs: ORGS, days: 60 });
    const metrics: Metric[] = [];
    try {
      const first = await timed(big, () => sweep(big, true));
      ctx.log(`first incremental run (aggregates everything): ${first.result.orgs} orgs, ${describeSplit(first.full)}`);
      const runs: Record<'one' | 'all' | 'full', Timed[]> = { one: [], all: [], full: [] };
      for (let round = 1; round <= ctx.rounds; round++) {
        const order = (['one', 'all', 'full'] as const).map((_, i, a) => a[(i + round) % 3]!);
        for (const variant of order) {
          // The platform's writes (and their capture by the triggers) happen before the timing starts.
          if (variant !== 'full') await touch(big, variant === 'one' ? ORGS / 100 : ORGS, round);
          const run = await timed(big, () => sweep(big, variant !== 'full'));
          if (variant !== 'full' && run.result.mode !== 'incremental') throw new Error(`the ${variant} run was ${run.result.fullReason}`);
          runs[variant].push(run);
          ctx.log(
            `round ${round} ${variant}: ${run.result.orgs} orgs decided, ${run.result.eventsAppended} events, ${run.result.conflictsRetried} conflicts retried; ` +
              `sweep ${run.sweepS.toFixed(2)} s, with projections ${describeSplit(run.full)}`,
          );
        }
      }
      metrics.push(
        metric('first incremental run: aggregates the windows, decides every org (+ projections)', 's', [first.full.wallS]),
        metric('1 % of orgs changed: incremental sweep + all projections caught up', 's', wall(runs.one), {
          note: `${runs.one[0]!.result.orgs.toLocaleString('en-US')} orgs decided`,
        }),
        metric('100 % of orgs changed: incremental sweep + all projections caught up', 's', wall(runs.all), {
          note: `${runs.all[0]!.result.orgs.toLocaleString('en-US')} orgs decided`,
        }),
        metric('full sweep of the same state (not incremental) + all projections caught up', 's', wall(runs.full)),
        metric(
          '1 % changed: per org decided',
          'ms',
          runs.one.map((r) => (1000 * r.full.wallS) / Math.max(1, r.result.orgs)),
        ),
        metric(
          '100 % changed: per org decided',
          'ms',
          runs.all.map((r) => (1000 * r.full.wallS) / Math.max(1, r.result.orgs)),
        ),
        metric(
          'full sweep / 1 % incremental (same round)',
          'x',
          runs.full.map((r, i) => r.full.wallS / runs.one[i]!.full.wallS),
        ),
      );
    } finally {
      await big.close();
    }

    // The same 20,000 orgs with 60 and with 365 days of usage behind them; alternated per round.
    const short = await openFleet(ctx, { orgs: HISTORY_ORGS, days: 60 });
    const long = await openFleet(ctx, { orgs: HISTORY_ORGS, days: 365 });
    try {
      for (const f of [short, long]) await timed(f, () => sweep(f, true));
      const byHistory: Record<'short' | 'long', Timed[]> = { short: [], long: [] };
      for (let round = 1; round <= ctx.rounds; round++) {
        for (const variant of round % 2 ? (['short', 'long'] as const) : (['long', 'short'] as const)) {
          const f = variant === 'short' ? short : long;
          await touch(f, HISTORY_ORGS / 100, round);
          const run = await timed(f, () => sweep(f, true));
          byHistory[variant].push(run);
          ctx.log(`round ${round} ${variant === 'short' ? '60' : '365'} days: ${run.result.orgs} orgs decided, ${describeSplit(run.full)}`);
        }
      }
      const rows = async (f: Fleet) => Number(await f.pool.oneFirst(sql.unsafe`SELECT count(*) FROM token_usage`));
      metrics.push(
        metric(
          `${HISTORY_ORGS.toLocaleString('en-US')} orgs, 60 days: 1 % changed, incremental + projections`,
          's',
          wall(byHistory.short),
          {
            note: `${(await rows(short)).toLocaleString('en-US')} usage rows`,
          },
        ),
        metric(
          `${HISTORY_ORGS.toLocaleString('en-US')} orgs, 365 days: 1 % changed, incremental + projections`,
          's',
          wall(byHistory.long),
          {
            note: `${(await rows(long)).toLocaleString('en-US')} usage rows`,
          },
        ),
        metric(
          '365 / 60 days of history (same round)',
          'x',
          byHistory.long.map((r, i) => r.full.wallS / byHistory.short[i]!.full.wallS),
        ),
      );
    } finally {
      await short.close();
      await long.close();
    }
    return metrics;
  },
};

const wall = (runs: readonly Timed[]) => runs.map((r) => r.full.wallS);

async function openFleet(ctx: BenchContext, shape: { readonly orgs: number; readonly days: number }): Promise<Fleet> {
  const url = await seededFleetDatabase(ctx, { orgs: shape.orgs, asOf: FLEET_AS_OF, days: shape.days });
  const pool = await createDatabasePool(url);
  const store = new PostgresEventStore({ pool, connectionUrl: url });
  const history = await seedLog(pool, FLEET_HISTORY_EVENTS, { streams: 1000 });
  const runner = await liveProjections(pool, store, url, history);
  const clock = { now: new Date(FIRST_RUN) };
  const deps: RevenueDeps = { store, pool, clock: { now: () => new Date(clock.now) }, ruleSet: defaultRuleSet };
  const orgIds = (await pool.anyFirst(sql.unsafe`SELECT id FROM organizations ORDER BY id`)) as string[];
  ctx.log(`fleet: ${shape.orgs} orgs x ${shape.days} days; ${FLEET_HISTORY_EVENTS} earlier events in the log`);
  return {
    pool,
    store,
    runner,
    handler: new SweepFleetHandler(deps),
    clock,
    orgIds,
    async close() {
      await runner.stop();
      await store.close();
      await pool.end();
    },
  };
}

/** A new usage row, a minute before now, for `count` orgs (a different slice each round), and the clock moved on. */
async function touch(f: Fleet, count: number, round: number): Promise<void> {
  f.clock.now = new Date(f.clock.now.getTime() + STEP_MS);
  const start = (round * 7919 * count) % f.orgIds.length;
  const orgs = Array.from({ length: count }, (_, i) => f.orgIds[(start + i) % f.orgIds.length]!);
  await f.pool.query(sql.unsafe`
    INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used)
    SELECT org_id, ${new Date(f.clock.now.getTime() - MINUTE_MS).toISOString()}::timestamptz, 2000, 0
    FROM unnest(${sql.array(orgs, 'uuid')}::uuid[]) AS org_id`);
}

async function sweep(f: Fleet, incremental: boolean): Promise<SweepResult> {
  if (!incremental) f.clock.now = new Date(f.clock.now.getTime() + STEP_MS);
  const meta = { actor: { kind: 'system' as const, id: 'bench-sweep' }, correlationId: randomUUID() };
  return f.handler.execute(new SweepFleet(meta, undefined, undefined, incremental ? INCREMENTAL : undefined));
}

/** `work` (a sweep), then every projection caught up with what it wrote. */
async function timed(f: Fleet, work: () => Promise<SweepResult>): Promise<Timed> {
  let sweepS = 0;
  const { result, split } = await measureCpu(f.pool, async () => {
    const started = performance.now();
    const out = await work();
    sweepS = (performance.now() - started) / 1000;
    const position: LogPosition | null = out.position ? parsePosition(out.position) : null;
    for (const p of allProjections) {
      if (position && !(await f.runner.waitFor(p.name, position, 600_000))) throw new Error(`${p.name} did not catch up with the sweep`);
    }
    return out;
  });
  return { result, full: split, sweepS };
}

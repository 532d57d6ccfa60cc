import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createDatabasePool, sql, type DatabasePool } from '#database';
import { comparePositions, parsePosition, PostgresEventStore, type LogPosition } from '#event-store';
import { allProjections } from '#read-models';
import { SweepFleet, SweepFleetHandler, type SweepResult } from '#revenue-commands';
import { defaultRuleSet } from '#revenue';
import { metric, type BenchContext, type Metric, type Suite } from '../harness.js';
import { describeSplit, measureCpu, type CpuSplit } from './support/cpu.js';
import { seedLog } from './support/events.js';
import { FLEET_AS_OF, FLEET_HISTORY_EVENTS, liveProjections, seededFleetDatabase } from './fleet-sweep/sweep-round.js';

const ORGS = 100_000;
const WORKERS = 2;

/** One sweep worker: its own pool and store, as a separate process would have. */
interface Worker {
  readonly pool: DatabasePool;
  readonly store: PostgresEventStore;
  readonly handler: SweepFleetHandler;
}

interface Run {
  readonly results: readonly SweepResult[];
  /** Until every worker's SweepFleetHandler.execute returned. */
  readonly sweepS: number;
  /** Per worker, its own execute time. */
  readonly workerS: readonly number[];
  /** Sweep plus every projection caught up to the last position any worker wrote. */
  readonly full: CpuSplit;
}

/**
 * Issue 13: one sweep worker over the whole fleet against two workers on disjoint shares
 * (SweepFleet partitions 0/2 and 1/2, by hash of the org id) running concurrently in this
 * process, each with its own pool, against one database; alternated per round, every projection
 * of the runtime caught up in the timing, state reset between runs as the fleet-sweep suite does.
 */
export const fleetSweepPartitions: Suite = {
  name: 'fleet-sweep-partitions',
  description: `SweepFleet over ${ORGS.toLocaleString('en-US')} orgs: one worker vs ${WORKERS} workers on disjoint partitions`,
  async run(ctx: BenchContext): Promise<Metric[]> {
    const url = await seededFleetDatabase(ctx, { orgs: ORGS, asOf: FLEET_AS_OF });
    const pool = await createDatabasePool(url);
    const store = new PostgresEventStore({ pool, connectionUrl: url });
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < WORKERS; i++) workers.push(await openWorker(url));
      const history = await seedLog(pool, FLEET_HISTORY_EVENTS, { streams: 1000 });
      ctx.log(`fleet: ${ORGS} orgs; ${FLEET_HISTORY_EVENTS} earlier events in the log; ${WORKERS} worker pools`);
      const one: Run[] = [];
      const many: Run[] = [];
      for (let round = 1; round <= ctx.rounds; round++) {
        // Alternate which variant goes first, so a drift of the machine's load hits both.
        const order = round % 2 ? (['one', 'many'] as const) : (['many', 'one'] as const);
        for (const variant of order) {
          const run =
            variant === 'one'
              ? await sweepRun(pool, store, url, history, [workers[0]!], () => [undefined])
              : await sweepRun(pool, store, url, history, workers, (n) => Array.from({ length: n }, (_, index) => ({ index, count: n })));
          (variant === 'one' ? one : many).push(run);
          const r = sum(run.results);
          ctx.log(
            `round ${round} ${variant === 'one' ? '1 worker ' : `${WORKERS} workers`}: ${r.orgs} orgs ` +
              `(${run.results.map((x) => x.orgs).join(' + ')}), ${r.eventsAppended} events to ${r.orgsChanged} streams, ` +
              `${r.conflictsRetried} conflicts; execute ${run.sweepS.toFixed(2)} s (per worker ${run.workerS.map((s) => s.toFixed(2)).join(', ')}), ` +
              `with projections ${run.full.wallS.toFixed(2)} s (${describeSplit(run.full)})`,
          );
        }
      }
      assertSameWork(one, many);
      const size = await eventSizes(pool);
      ctx.log(
        `revenue events after the last run: ${size.events} events, data + metadata ${size.payloadBytes.toFixed(0)} B each (pg_column_size); ` +
          `event_store.events with its indexes ${size.tableBytesPerEvent.toFixed(0)} B per row (${size.rows} rows incl. history)`,
      );
      const oneS = one.map((r) => r.full.wallS);
      const manyS = many.map((r) => r.full.wallS);
      const events = sum(one[0]!.results).eventsAppended;
      const shares = many[0]!.results.map((r) => r.orgs.toLocaleString('en-US')).join(' / ');
      return [
        metric(`1 worker: SweepFleet + all ${allProjections.length} projections caught up`, 's', oneS, {
          note: `${events.toLocaleString('en-US')} events`,
        }),
        metric(
          `${WORKERS} workers (partitions 0/${WORKERS}, 1/${WORKERS}, concurrent) + all ${allProjections.length} projections caught up`,
          's',
          manyS,
          {
            note: `orgs per partition ${shares}`,
          },
        ),
        metric(
          'speed-up: 1 worker / 2 workers (same round)',
          'x',
          oneS.map((s, i) => s / manyS[i]!),
        ),
        metric(
          '1 worker: SweepFleetHandler.execute alone',
          's',
          one.map((r) => r.sweepS),
        ),
        metric(
          `${WORKERS} workers: until both executes returned`,
          's',
          many.map((r) => r.sweepS),
        ),
        metric(
          '1 worker: projection lag after execute returned',
          's',
          one.map((r) => r.full.wallS - r.sweepS),
        ),
        metric(
          `${WORKERS} workers: projection lag after the last execute returned`,
          's',
          many.map((r) => r.full.wallS - r.sweepS),
        ),
        metric('revenue event size: data + metadata (pg_column_size, avg)', 'B', [size.payloadBytes]),
        metric('event_store.events on disk incl. indexes, per row', 'B', [size.tableBytesPerEvent]),
        metric(
          '1 worker: postgres CPU',
          's',
          one.map((r) => r.full.pgCpuS),
        ),
        metric(
          `${WORKERS} workers: postgres CPU`,
          's',
          many.map((r) => r.full.pgCpuS),
        ),
      ];
    } finally {
      for (const w of workers) {
        await w.store.close();
        await w.pool.end();
      }
      await store.close();
      await pool.end();
    }
  },
};

async function openWorker(url: string): Promise<Worker> {
  // Two connections: the handler runs its statements one after another; the second is slack.
  const pool = await createDatabasePool(url, { maximumPoolSize: 2 });
  const store = new PostgresEventStore({ pool, connectionUrl: url });
  const handler = new SweepFleetHandler({ store, pool, clock: { now: () => new Date(FLEET_AS_OF) }, ruleSet: defaultRuleSet });
  return { pool, store, handler };
}

/**
 * From the same state every time (revenue events and read model gone, the log's other history
 * kept), the runner live and caught up with that history; then the workers' sweeps run
 * concurrently, and the timing ends when every projection includes the last event any wrote.
 */
async function sweepRun(
  pool: DatabasePool,
  store: PostgresEventStore,
  url: string,
  history: LogPosition,
  workers: readonly Worker[],
  partitions: (n: number) => ReadonlyArray<{ index: number; count: number } | undefined>,
): Promise<Run> {
  const runner = await liveProjections(pool, store, url, history);
  try {
    const shares = partitions(workers.length);
    let sweepS = 0;
    const workerS: number[] = [];
    const { result: results, split: full } = await measureCpu(pool, async () => {
      const started = performance.now();
      const out = await Promise.all(
        workers.map(async (w, i) => {
          const meta = { actor: { kind: 'system' as const, id: `bench-sweep-${i}` }, correlationId: randomUUID() };
          const result = await w.handler.execute(new SweepFleet(meta, 5_000, shares[i]));
          workerS[i] = (performance.now() - started) / 1000;
          return result;
        }),
      );
      sweepS = (performance.now() - started) / 1000;
      const last = out
        .map((r) => (r.position ? parsePosition(r.position) : null))
        .reduce<LogPosition | null>((a, b) => (!b || (a && comparePositions(a, b) >= 0) ? a : b), null);
      for (const p of allProjections) {
        if (last && !(await runner.waitFor(p.name, last, 600_000))) throw new Error(`${p.name} did not catch up with the sweep`);
      }
      return out;
    });
    await assertProjected(pool, sum(results));
    return { results, sweepS, workerS, full };
  } finally {
    await runner.stop();
  }
}

/** What a revenue event costs to keep: its payload as stored, and the log table (heap, TOAST, indexes) per row. */
async function eventSizes(pool: DatabasePool): Promise<{ events: number; payloadBytes: number; rows: number; tableBytesPerEvent: number }> {
  const row = (await pool.one(sql.unsafe`
    SELECT count(*) FILTER (WHERE starts_with(event_type, 'revenue.'))::int AS events,
      avg(pg_column_size(data) + pg_column_size(metadata)) FILTER (WHERE starts_with(event_type, 'revenue.'))::float8 AS payload,
      count(*)::int AS rows,
      pg_total_relation_size('event_store.events')::float8 AS bytes
    FROM event_store.events`)) as { events: number; payload: number; rows: number; bytes: number };
  return { events: row.events, payloadBytes: row.payload, rows: row.rows, tableBytesPerEvent: row.bytes / row.rows };
}

/** The counts of a sweep's result (what every variant must agree on). */
type SweepCounts = Omit<SweepResult, 'position' | 'mode' | 'fullReason'>;

function sum(results: readonly SweepResult[]): SweepCounts {
  const total = { orgs: 0, detections: 0, orgsChanged: 0, eventsAppended: 0, actionsProposed: 0, runsStopped: 0, conflictsRetried: 0 };
  for (const r of results) for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += r[k];
  return total;
}

/** A fast but different sweep is no result: every run must have decided and written the same. */
function assertSameWork(one: readonly Run[], many: readonly Run[]): void {
  const key = (r: Run) => JSON.stringify(sum(r.results));
  const expected = key(one[0]!);
  for (const r of [...one, ...many]) {
    if (key(r) !== expected) throw new Error(`sweeps differ: ${key(r)} vs ${expected}`);
  }
}

/** As the fleet-sweep suite checks: a cold sweep's read model holds one row per appended event (stopped runs aside). */
async function assertProjected(pool: DatabasePool, result: SweepCounts): Promise<void> {
  if (result.conflictsRetried !== 0) throw new Error(`cold sweep retried ${result.conflictsRetried} conflicts`);
  if (result.orgs !== ORGS) throw new Error(`the workers swept ${result.orgs} orgs, not ${ORGS}`);
  const opportunities = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_opportunities WHERE status = 'open'`));
  const actions = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_actions WHERE status = 'proposed'`));
  const orgs = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_org_streams`));
  if (
    actions !== result.actionsProposed ||
    opportunities + actions + result.runsStopped !== result.eventsAppended ||
    orgs !== result.orgsChanged
  ) {
    throw new Error(
      `read model has ${opportunities} opportunities + ${actions} actions / ${orgs} org streams; the sweep wrote ` +
        `${result.eventsAppended} events (${result.actionsProposed} proposals, ${result.runsStopped} stopped runs) / ${result.orgsChanged}`,
    );
  }
}

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { sql, type DatabasePool } from '#database';
import { parsePosition, type LogPosition, type PostgresEventStore } from '#event-store';
import { ProjectionRunner, postgresLogLag } from '#projection-runner';
import { SweepFleet, SweepFleetHandler, type RevenueDeps, type SweepResult } from '#revenue-commands';
import { allProjections } from '#read-models';
import { ALL_REVENUE_EVENT_TYPES, defaultRuleSet, revenueStreamName } from '#revenue';
import { measureCpu, type CpuSplit } from '../support/cpu.js';
import pg from 'pg';
import type { BenchContext } from '../../harness.js';
import { quietLogger } from '../support/entries-projection.js';
import { seedFleet, type FleetShape } from './seed-fleet.js';

/** The fleet suites' "now": the seeded usage covers the days before it. */
export const FLEET_AS_OF = new Date('2026-11-01T00:00:00.000Z');
/** Events of other streams already in the log when a fleet suite starts, as in production. */
export const FLEET_HISTORY_EVENTS = 100_000;

export interface SweepRound {
  readonly first: SweepResult;
  /** SweepFleetHandler.execute alone: reads, decisions, appends. */
  readonly sweepS: number;
  /** Sweep plus every revenue projection caught up to the sweep's position (read-your-writes). */
  readonly full: CpuSplit;
  /** A second sweep over unchanged usage (steady state: decides everything, writes nothing); when asked for. */
  readonly againS: number | null;
}

/**
 * Everything the sweep and the projections wrote, gone, so every round starts from the same
 * state. The log keeps its history of other events (and its statistics), as in production.
 */
export async function resetRevenueState(pool: DatabasePool): Promise<void> {
  const streamPrefix = revenueStreamName('x').slice(0, -1);
  await pool.query(sql.unsafe`DELETE FROM event_store.events WHERE event_type = ANY(${sql.array(ALL_REVENUE_EVENT_TYPES, 'text')})`);
  await pool.query(sql.unsafe`DELETE FROM event_store.streams WHERE starts_with(stream_name, ${streamPrefix})`);
  await pool.query(sql.unsafe`
    TRUNCATE revenue_actions, revenue_opportunities, revenue_org_streams, credit_ledger, projection_dead_letters`);
  await pool.query(sql.unsafe`DELETE FROM projection_checkpoints`);
  await pool.query(sql.unsafe`VACUUM ANALYZE event_store.events, event_store.streams`);
}

/** The seeded fleet's database, once per suite: a migrated database with the fleet's usage (seed-fleet.ts). */
export async function seededFleetDatabase(ctx: BenchContext, fleet: FleetShape): Promise<string> {
  const url = await ctx.freshDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await seedFleet(client, fleet, ctx.log);
  } finally {
    await client.end();
  }
  return url;
}

/** Every projection of the runtime live, after the state reset, and caught up with the log's earlier history. */
export async function liveProjections(
  pool: DatabasePool,
  store: PostgresEventStore,
  url: string,
  history: LogPosition,
): Promise<ProjectionRunner> {
  await resetRevenueState(pool);
  const runner = new ProjectionRunner({
    store,
    pool,
    connectionUrl: url,
    projections: allProjections,
    lag: postgresLogLag(pool),
    logger: quietLogger,
  });
  runner.start();
  for (const p of allProjections) if (!(await runner.waitFor(p.name, history, 120_000))) throw new Error(`${p.name} did not start`);
  return runner;
}

/**
 * One cold sweep of the whole fleet with the runner live and caught up with the log's history
 * (as in production), then a re-sweep over the same usage.
 */
export async function sweepRound(
  pool: DatabasePool,
  store: PostgresEventStore,
  url: string,
  options: { readonly asOf: Date; readonly history: LogPosition; readonly resweep: boolean },
): Promise<SweepRound> {
  const { asOf, history } = options;
  const deps: RevenueDeps = { store, pool, clock: { now: () => new Date(asOf) }, ruleSet: defaultRuleSet };
  const handler = new SweepFleetHandler(deps);
  const meta = () => ({ actor: { kind: 'system' as const, id: 'bench-sweep' }, correlationId: randomUUID() });
  const runner = await liveProjections(pool, store, url, history);
  try {
    let sweepS = 0;
    const { result: first, split: full } = await measureCpu(pool, async () => {
      const started = performance.now();
      const result = await handler.execute(new SweepFleet(meta()));
      sweepS = (performance.now() - started) / 1000;
      const position = result.position ? parsePosition(result.position) : null;
      for (const p of allProjections) {
        if (position && !(await runner.waitFor(p.name, position, 600_000))) throw new Error(`${p.name} did not catch up with the sweep`);
      }
      return result;
    });
    await assertProjected(pool, first);
    if (!options.resweep) return { first, sweepS, full, againS: null };
    const started = performance.now();
    const again = await handler.execute(new SweepFleet(meta()));
    const againS = (performance.now() - started) / 1000;
    // Unchanged usage, live actions everywhere: only orgs still out of credits record another stopped run.
    if (again.eventsAppended !== again.runsStopped || again.actionsProposed !== 0) {
      throw new Error(`a re-sweep over unchanged usage appended ${again.eventsAppended} events (${again.actionsProposed} proposals)`);
    }
    return { first, sweepS, full, againS };
  } finally {
    await runner.stop();
  }
}

/**
 * A cold sweep only opens opportunities, proposes actions and records stopped runs (audit only, no
 * row): the read model must hold exactly one row per other appended event.
 */
async function assertProjected(pool: DatabasePool, result: SweepResult): Promise<void> {
  if (result.conflictsRetried !== 0) throw new Error(`cold sweep retried ${result.conflictsRetried} conflicts`);
  const opportunities = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_opportunities WHERE status = 'open'`));
  const actions = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_actions WHERE status = 'proposed'`));
  const orgs = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_org_streams`));
  const rows = opportunities + actions;
  if (actions !== result.actionsProposed || rows + result.runsStopped !== result.eventsAppended || orgs !== result.orgsChanged) {
    throw new Error(
      `read model has ${opportunities} opportunities + ${actions} actions / ${orgs} org streams; ` +
        `the sweep wrote ${result.eventsAppended} events (${result.actionsProposed} proposals, ${result.runsStopped} stopped runs) / ${result.orgsChanged}`,
    );
  }
}

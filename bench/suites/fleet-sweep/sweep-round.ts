import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { sql, type DatabasePool } from '../../../libs/database/src/index.js';
import { parsePosition, type PostgresEventStore } from '../../../libs/event-store/src/index.js';
import { ProjectionRunner, postgresLogLag } from '../../../libs/projections/src/index.js';
import { SweepFleet, SweepFleetHandler, type RevenueDeps, type SweepResult } from '../../../libs/revenue-commands/src/index.js';
import { allProjections } from '../../../projections/index.js';
import { defaultRuleSet } from '../../../src/revenue/index.js';
import { measureCpu, type CpuSplit } from '../support/cpu.js';
import { quietLogger } from '../support/entries-projection.js';

export interface SweepRound {
  readonly first: SweepResult;
  /** SweepFleetHandler.execute alone: reads, decisions, appends. */
  readonly sweepS: number;
  /** Sweep plus every revenue projection caught up to the sweep's position (read-your-writes). */
  readonly full: CpuSplit;
  /** A second sweep over unchanged usage (steady state: decides everything, writes nothing). */
  readonly again: SweepResult;
  readonly againS: number;
}

/** Everything the sweep and the projections wrote, gone: every round starts from the same state. */
export async function resetRevenueState(pool: DatabasePool): Promise<void> {
  await pool.query(sql.unsafe`
    TRUNCATE event_store.events, event_store.streams, revenue_actions, revenue_opportunities, revenue_org_streams,
      credit_ledger, projection_checkpoints, projection_dead_letters`);
}

/** One cold sweep of the whole fleet with the runner live (as in production), then a warm re-sweep. */
export async function sweepRound(pool: DatabasePool, store: PostgresEventStore, url: string, asOf: Date): Promise<SweepRound> {
  await resetRevenueState(pool);
  const deps: RevenueDeps = { store, pool, clock: { now: () => new Date(asOf) }, ruleSet: defaultRuleSet };
  const handler = new SweepFleetHandler(deps);
  const meta = () => ({ actor: { kind: 'system' as const, id: 'bench-sweep' }, correlationId: randomUUID() });
  const runner = new ProjectionRunner({ store, pool, connectionUrl: url, projections: allProjections, lag: postgresLogLag(pool), logger: quietLogger });
  runner.start();
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
    const started = performance.now();
    const again = await handler.execute(new SweepFleet(meta()));
    const againS = (performance.now() - started) / 1000;
    if (again.eventsAppended !== 0) throw new Error(`a re-sweep over unchanged usage appended ${again.eventsAppended} events`);
    return { first, sweepS, full, again, againS };
  } finally {
    await runner.stop();
  }
}

/** A cold sweep only opens opportunities: the read model must hold exactly one row per appended event. */
async function assertProjected(pool: DatabasePool, result: SweepResult): Promise<void> {
  if (result.conflictsRetried !== 0) throw new Error(`cold sweep retried ${result.conflictsRetried} conflicts`);
  const rows = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_opportunities WHERE status = 'open'`));
  const orgs = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_org_streams`));
  if (rows !== result.eventsAppended || orgs !== result.orgsChanged) {
    throw new Error(`read model has ${rows} opportunities / ${orgs} org streams; the sweep wrote ${result.eventsAppended} / ${result.orgsChanged}`);
  }
}

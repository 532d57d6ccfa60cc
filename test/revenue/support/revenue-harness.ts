import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { CommandBus } from '@nestjs/cqrs';
import { sql } from '../../../libs/database/src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../libs/database/src/testing.js';
import { parsePosition, PostgresEventStore } from '../../../libs/event-store/src/index.js';
import { ProjectionRunner, postgresLogLag } from '../../../libs/projections/src/index.js';
import { RevenueCommandsModule, type Clock, type CommandMeta, type RevenueDeps } from '../../../libs/revenue-commands/src/index.js';
import { allProjections } from '../../../projections/index.js';
import { defaultRuleSet } from '../../../src/revenue/index.js';

/** A settable clock: every test decides at a chosen instant. */
export class TestClock implements Clock {
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * 86_400_000);
  }
}

export interface RevenueHarness {
  readonly db: TestDatabase;
  readonly store: PostgresEventStore;
  readonly runner: ProjectionRunner;
  /** Stops the projections (the read model freezes) until resumeProjections(). */
  pauseProjections(): Promise<void>;
  resumeProjections(): void;
  readonly commands: CommandBus;
  readonly clock: TestClock;
  readonly deps: RevenueDeps;
  meta(overrides?: Partial<CommandMeta>): CommandMeta;
  /** Read-your-writes: waits until both read models include `position`. */
  caughtUp(position: string | null): Promise<void>;
  close(): Promise<void>;
}

export const AS_OF = new Date('2026-11-01T00:00:00.000Z');

export async function createRevenueHarness(): Promise<RevenueHarness> {
  const db = await createTestDatabase();
  const store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, pollIntervalMs: 50 });
  const clock = new TestClock(AS_OF);
  const deps: RevenueDeps = { store, pool: db.pool, clock, ruleSet: defaultRuleSet };
  const newRunner = () =>
    new ProjectionRunner({
      store,
      pool: db.pool,
      connectionUrl: db.url,
      projections: allProjections,
      lag: postgresLogLag(db.pool),
      lockRetryMs: 50,
      controlPollMs: 50,
      logger: { info: () => undefined, warn: () => undefined, error: (m) => console.error(m) },
    });
  let runner = newRunner();
  runner.start();
  const moduleRef = await Test.createTestingModule({ imports: [RevenueCommandsModule.forRoot(deps)] }).compile();
  await moduleRef.init();
  return {
    db,
    store,
    clock,
    deps,
    get runner() {
      return runner;
    },
    pauseProjections: () => runner.stop(),
    resumeProjections() {
      runner = newRunner();
      runner.start();
    },
    commands: moduleRef.get(CommandBus),
    meta: (overrides = {}) => ({ actor: { kind: 'user', id: randomUUID() }, correlationId: randomUUID(), ...overrides }),
    async caughtUp(position) {
      const target = position ? parsePosition(position) : null;
      if (!target) return;
      for (const p of allProjections) {
        if (!(await runner.waitFor(p.name, target, 20_000))) throw new Error(`${p.name} did not reach ${position}`);
      }
    },
    async close() {
      await moduleRef.close();
      await runner.stop();
      await store.close();
      await db.drop();
    },
  };
}

/** An org with a wallet and daily usage rows: `daily(dayIndex)` gives the usage `dayIndex` days before AS_OF. */
export async function seedOrg(
  h: RevenueHarness,
  options: { tier?: number | null; balance?: number; days?: number; daily?: (daysAgo: number) => { text: number; voice: number } } = {},
): Promise<string> {
  const orgId = randomUUID();
  await h.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'test org')`);
  if (options.tier !== null) {
    await h.db.pool.query(
      sql.unsafe`INSERT INTO token_wallets (org_id, tier, balance) VALUES (${orgId}, ${options.tier ?? 1}, ${options.balance ?? 10})`,
    );
  }
  const rows: Array<[string, string, number, number]> = [];
  for (let d = 1; d <= (options.days ?? 0); d++) {
    const { text, voice } = options.daily!(d);
    rows.push([orgId, new Date(AS_OF.getTime() - d * 86_400_000 + 3_600_000).toISOString(), text, voice]);
  }
  if (rows.length) {
    await h.db.pool.query(sql.unsafe`
      INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used)
      SELECT * FROM ${sql.unnest(rows, ['uuid', 'timestamptz', 'int8', 'int8'])}`);
  }
  return orgId;
}

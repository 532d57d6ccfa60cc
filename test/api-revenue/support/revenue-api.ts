import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApp } from '../../../apps/api/src/create-app.js';
import { loadConfig } from '../../../apps/api/src/config.js';
import type { HttpAdapterKind } from '../../../apps/api/src/http/adapter-kind.js';
import { RevenueApiModule } from '../../../apps/api/src/revenue/revenue-api.module.js';
import { sql } from '../../../libs/database/src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../libs/database/src/testing.js';
import { PostgresEventStore } from '../../../libs/event-store/src/index.js';
import { createLogger } from '../../../libs/observability/src/index.js';
import { ProjectionRunner, postgresLogLag } from '../../../libs/projections/src/index.js';
import { RevenueCommandsModule, type RevenueDeps } from '../../../libs/revenue-commands/src/index.js';
import { allProjections } from '../../../projections/index.js';
import { defaultRuleSet } from '../../../src/revenue/index.js';
import type { RunningApi } from '../../api-platform/harness.js';
import { AS_OF, TestClock } from '../../revenue/support/revenue-harness.js';

export interface RevenueApi extends RunningApi {
  readonly db: TestDatabase;
  readonly store: PostgresEventStore;
  /** Stops the projections (the read model freezes) until resumeProjections(). */
  pauseProjections(): Promise<void>;
  resumeProjections(): void;
}

/**
 * The real API with the revenue query/audit module and the revenue commands, over a fresh
 * test database, with the projections running in-process (as RUN_PROJECTIONS=true does).
 */
export async function startRevenueApi(options: { adapter?: HttpAdapterKind; readYourWritesTimeoutMs?: number } = {}): Promise<RevenueApi> {
  const db = await createTestDatabase();
  const store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, pollIntervalMs: 50 });
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
  // The API asks whichever runner is current, as a long-lived process would ask its one runner.
  const waiter = {
    waitFor: (name: string, position: Parameters<ProjectionRunner['waitFor']>[1], ms: number) => runner.waitFor(name, position, ms),
  };
  const deps: RevenueDeps = { store, pool: db.pool, clock: new TestClock(AS_OF), ruleSet: defaultRuleSet };
  const config = loadConfig({ NODE_ENV: 'test', RATE_LIMIT: '1000000', ...(options.adapter ? { HTTP_ADAPTER: options.adapter } : {}) });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      callback();
    },
  });
  const modules = [
    RevenueCommandsModule.forRoot(deps),
    RevenueApiModule.forRoot({
      store,
      runner: waiter,
      ruleSet: defaultRuleSet,
      ...(options.readYourWritesTimeoutMs !== undefined ? { readYourWritesTimeoutMs: options.readYourWritesTimeoutMs } : {}),
    }),
  ];
  const app = await createApp({ config, pool: db.pool, logger: createLogger({ level: 'info', destination: sink }), modules });
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    baseUrl,
    logs,
    db,
    store,
    pauseProjections: () => runner.stop(),
    resumeProjections() {
      runner = newRunner();
      runner.start();
    },
    async close() {
      await app.close();
      await runner.stop();
      await store.close();
      await db.drop();
    },
  };
}

/** An org whose 30 days of heavy usage on tier 1 make RunFullAnalysis open an upsell (and more). */
export async function seedGrowingOrg(db: TestDatabase, orgId: string = randomUUID()): Promise<string> {
  await db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'org')`);
  await db.pool.query(sql.unsafe`INSERT INTO token_wallets (org_id, tier, balance) VALUES (${orgId}, 1, 10)`);
  await db.pool.query(sql.unsafe`
    INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used)
    SELECT ${orgId}, ${AS_OF.toISOString()}::timestamptz - make_interval(days => d) + interval '1 hour', 2000, 20
    FROM generate_series(1, 30) AS d`);
  return orgId;
}

export async function addMember(db: TestDatabase, userId: string, orgId: string, role: 'owner' | 'admin' | 'member'): Promise<void> {
  await db.pool.query(sql.unsafe`INSERT INTO user_organizations (user_id, org_id, role) VALUES (${userId}, ${orgId}, ${role})`);
}

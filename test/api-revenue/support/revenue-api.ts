import { randomUUID } from 'node:crypto';
import { createApp } from '#api';
import { loadConfig } from '#api';
import type { HttpAdapterKind } from '#api';
import { AuditModule, FeatureDepsModule, MaosModule, RevenueModule } from '#api';
import { sql } from '#database';
import type { TestDatabase } from '#database/testing';
import type { PostgresEventStore } from '#event-store';
import { createLogger } from '#observability';
import { RevenueCommandsModule } from '#revenue-commands';
import type { RunningApi } from '../../api-platform/harness.js';
import { AS_OF, captureLogLines, createRevenueStack } from '../../support/revenue-stack.js';

export interface RevenueApi extends RunningApi {
  readonly db: TestDatabase;
  readonly store: PostgresEventStore;
  /** Stops the projections (the read model freezes) until resumeProjections(). */
  pauseProjections(): Promise<void>;
  resumeProjections(): void;
}

/**
 * The real API with the revenue query/audit module, the MAOS module and the revenue commands,
 * over a fresh test database, with the projections running in-process (as RUN_PROJECTIONS=true does).
 */
export async function startRevenueApi(options: { adapter?: HttpAdapterKind; readYourWritesTimeoutMs?: number } = {}): Promise<RevenueApi> {
  const stack = await createRevenueStack();
  const config = loadConfig({ NODE_ENV: 'test', RATE_LIMIT: '1000000', ...(options.adapter ? { HTTP_ADAPTER: options.adapter } : {}) });
  const { lines: logs, sink } = captureLogLines();
  const modules = [
    RevenueCommandsModule.forRoot(stack.deps),
    FeatureDepsModule.forRoot({
      store: stack.store,
      projections: stack.waiter,
      ruleSet: stack.deps.ruleSet,
      ...(options.readYourWritesTimeoutMs !== undefined ? { readYourWritesTimeoutMs: options.readYourWritesTimeoutMs } : {}),
    }),
    RevenueModule,
    AuditModule,
    MaosModule,
  ];
  const app = await createApp({ config, pool: stack.db.pool, logger: createLogger({ level: 'info', destination: sink }), modules });
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    baseUrl,
    logs,
    db: stack.db,
    store: stack.store,
    pauseProjections: () => stack.pauseProjections(),
    resumeProjections: () => stack.resumeProjections(),
    async close() {
      await app.close();
      await stack.close();
    },
  };
}

/** An org whose 30 days of heavy usage on tier 1 make RunFullAnalysis open an upsell (and more). */
export async function seedGrowingOrg(db: TestDatabase, orgId: string = randomUUID(), name = 'org'): Promise<string> {
  await db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, ${name})`);
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

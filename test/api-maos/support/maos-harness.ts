import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { loadConfig } from '#api';
import { createApp } from '#api';
import { ErasureModule, FeatureDepsModule, MaosModule } from '#api';
import { sql } from '#database';
import type { TestDatabase } from '#database/testing';
import type { PostgresEventStore } from '#event-store';
import { createLogger } from '#observability';
import type { ProjectionRunner } from '#projection-runner';
import { RevenueCommandsModule, RunFullAnalysis } from '#revenue-commands';
import type { RunningApi } from '../../api-platform/harness.js';
import { AS_OF, captureLogLines, createRevenueStack } from '../../support/revenue-stack.js';

export interface MaosApi extends RunningApi {
  readonly db: TestDatabase;
  readonly store: PostgresEventStore;
  readonly runner: ProjectionRunner;
  readonly commands: CommandBus;
  /** Read-your-writes for the test's own reads: both projections include `position`. */
  caughtUp(position: string | null | undefined): Promise<void>;
}

/** The real API with the revenue commands and the MAOS module, projections running, on a real port. */
export async function startMaosApi(options: { erasureWaitMs?: number } = {}): Promise<MaosApi> {
  const stack = await createRevenueStack();
  const { lines: logs, sink } = captureLogLines();
  const app: INestApplication = await createApp({
    config: loadConfig({ NODE_ENV: 'test', RATE_LIMIT: '1000000' }),
    pool: stack.db.pool,
    logger: createLogger({ level: 'info', destination: sink }),
    modules: [
      RevenueCommandsModule.forRoot(stack.deps),
      FeatureDepsModule.forRoot({
        store: stack.store,
        projections: stack.runner,
        ruleSet: stack.deps.ruleSet,
        ...(options.erasureWaitMs ? { erasureWaitMs: options.erasureWaitMs } : {}),
      }),
      MaosModule,
      ErasureModule,
    ],
  });
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    baseUrl,
    logs,
    db: stack.db,
    store: stack.store,
    runner: stack.runner,
    commands: app.get(CommandBus),
    caughtUp: (position) => stack.caughtUp(position),
    async close() {
      await app.close();
      await stack.close();
    },
  };
}

/**
 * An org (tier 1, 1 credit, 60,000 tokens in 30 days) analysed once: it has an open upsell
 * with a proposed offer_upgrade action (0.02 credits reserved), projected.
 */
export async function orgWithProposedAction(api: MaosApi): Promise<{ orgId: string; actionId: string }> {
  const orgId = randomUUID();
  await api.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'maos test org')`);
  await api.db.pool.query(sql.unsafe`INSERT INTO token_wallets (org_id, tier, balance) VALUES (${orgId}, 1, 1)`);
  const days = Array.from({ length: 30 }, (_, i) => [
    orgId,
    new Date(AS_OF.getTime() - (i + 1) * 86_400_000 + 3_600_000).toISOString(),
    2_000,
    0,
  ]);
  await api.db.pool.query(sql.unsafe`
    INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used)
    SELECT * FROM ${sql.unnest(days, ['uuid', 'timestamptz', 'int8', 'int8'])}`);
  const run = await api.commands.execute(
    new RunFullAnalysis(orgId, { actor: { kind: 'system', id: 'test' }, correlationId: randomUUID() }),
  );
  await api.caughtUp(run.position);
  const actionId = (await api.db.pool.oneFirst(sql.unsafe`
    SELECT a.id FROM revenue_actions a JOIN revenue_opportunities o ON o.id = a.opportunity_id
    WHERE o.org_id = ${orgId} AND o.type = 'upsell' AND a.status = 'proposed'`)) as string;
  return { orgId, actionId };
}

/** The org stream's events, by type (empty once erased). */
export async function streamEventTypes(api: MaosApi, orgId: string): Promise<string[]> {
  return api.db.pool.anyFirst(
    sql.unsafe`SELECT event_type FROM event_store.events WHERE stream_name = ${`revenue-org-${orgId}`} ORDER BY stream_revision`,
  ) as Promise<string[]>;
}

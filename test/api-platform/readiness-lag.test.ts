import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, featureModules, loadConfig } from '#api';
import { createLogger } from '#observability';
import { systemClock } from '#revenue-commands';
import { defaultRuleSet } from '#revenue';
import type { Runtime } from '#runtime';
import { captureLogLines } from '../support/revenue-stack.js';
import { counterProjection, createCounterTable } from '../projections/support/counter-projection.js';
import { createHarness, type Harness } from '../projections/support/harness.js';
import { appendCounted } from '../projections/support/log.js';
import { projectionsReadiness } from '#api';
import { call, type Reply, type RunningApi } from './harness.js';

const MAX_LAG = 5;

/**
 * The API as bootstrap wires it (featureModules over a runtime), with READY_MAX_LAG_EVENTS=5
 * and a runner over a test projection that the test starts and stops: the real `projections`
 * readiness check, fed by the real lag counter of the PostgreSQL store.
 */
describe('readiness follows projection lag (READY_MAX_LAG_EVENTS)', () => {
  let h: Harness;
  let api: RunningApi;
  let runner: ReturnType<Harness['runner']>;
  beforeAll(async () => {
    h = await createHarness();
    await createCounterTable(h.db.pool);
    runner = h.runner([counterProjection()]);
    const runtime: Runtime = {
      server: { url: h.db.url, embedded: false, stop: async () => undefined },
      pool: h.db.pool,
      store: h.store,
      eventStoreKind: 'postgres',
      runner,
      deps: { store: h.store, pool: h.db.pool, clock: systemClock, ruleSet: defaultRuleSet },
      close: () => runner.stop(),
    };
    const config = loadConfig({ NODE_ENV: 'test', READY_MAX_LAG_EVENTS: String(MAX_LAG) });
    const { lines: logs, sink } = captureLogLines();
    const app = await createApp({
      config,
      pool: h.db.pool,
      logger: createLogger({ level: 'info', destination: sink }),
      modules: featureModules(runtime),
    });
    await app.listen(0, '127.0.0.1');
    const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    api = { app, baseUrl, logs, close: () => app.close() };
  });
  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  const lagOf = (reply: Reply) =>
    (reply.body.details as Record<string, Record<string, { lagEvents?: number }>> | undefined)?.projections?.['test-counters']?.lagEvents;
  async function readyWhen(done: (reply: Reply) => boolean): Promise<Reply> {
    for (const deadline = Date.now() + 10_000; ;) {
      const reply = await call(api, '/health/ready');
      if (done(reply) || Date.now() > deadline) return reply;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('is ready at or under the threshold, 503 naming `projections` past it (liveness stays 200), ready again once caught up', async () => {
    // Runner stopped: every appended event is lag (counted once every older transaction on the
    // shared server ended, so poll).
    await appendCounted(h.store, MAX_LAG, { streams: 2 });
    const atLimit = await readyWhen((r) => lagOf(r) === MAX_LAG);
    expect(atLimit.status).toBe(200);
    expect(atLimit.body).toMatchObject({ details: { projections: { status: 'up' } } });

    const head = await appendCounted(h.store, 1, { first: 1000 });
    const behind = await readyWhen((r) => r.status !== 200);
    expect(behind.status).toBe(503);
    expect(behind.contentType).toContain('application/problem+json');
    expect(behind.body).toMatchObject({
      type: '/problems/unavailable',
      checks: { database: 'up', event_store: 'up', projections: 'down' },
    });
    // The reason, with the lag and the threshold, goes to the log (as for every failing check).
    expect(JSON.stringify(api.logs.filter((l) => l.msg === 'not ready'))).toContain(
      `test-counters pending, lag ${MAX_LAG + 1} (max ${MAX_LAG})`,
    );
    expect(await call(api, '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });

    runner.start();
    expect(await runner.waitFor('test-counters', head, 30_000)).toBe(true);
    const caughtUp = await readyWhen((r) => r.status === 200);
    expect(caughtUp.status).toBe(200);
    expect(caughtUp.body).toMatchObject({
      details: { projections: { status: 'up', 'test-counters': { state: 'running', lagEvents: 0 } } },
    });
    await runner.stop();
  });
});

describe('projectionsReadiness', () => {
  const status = (state: string, lagEvents: number | null) => ({ name: 'p', state, lagEvents, parkedCount: 0 });
  const check = (max: number, ...statuses: Array<ReturnType<typeof status>>) =>
    projectionsReadiness({ status: async () => statuses as never }, max)(new AbortController().signal);

  it('fails on a halted projection whatever its lag, and on lag past the threshold unless it is 0', async () => {
    await expect(check(1000, status('halted', 0))).rejects.toThrow('p halted, lag 0 (max 1000)');
    await expect(check(0, status('halted', 0))).rejects.toThrow(/p halted/);
    await expect(check(1000, status('running', 1001))).rejects.toThrow('p running, lag 1001 (max 1000)');
    await expect(check(1000, status('running', 1000))).resolves.toEqual({ p: { state: 'running', lagEvents: 1000, parked: 0 } });
    await expect(check(0, status('rebuilding', 1_000_000))).resolves.toBeDefined();
    await expect(check(1000, status('running', null))).resolves.toBeDefined(); // the store cannot tell (EventStoreDB)
  });
});

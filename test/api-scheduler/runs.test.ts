import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SCHEDULER_EVENT_TYPES } from '#read-models';
import { startScheduler } from '#runtime';
import { call, type RunningApi } from '../api-platform/harness.js';
import { startFullApi, type FullApi } from '../support/full-api.js';
import { serviceToken, userToken } from '../support/tokens.js';

const HOUR = 3_600_000;
const quiet = { info: () => undefined, warn: () => undefined, error: (fields: object, message: string) => console.error(message, fields) };

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** GET /api/ops/runs in the real app (featureModules over a real runtime), runs made by a real scheduler. */
describe('GET /api/ops/runs (service scope)', () => {
  let full: FullApi;
  let api: RunningApi;

  beforeAll(async () => {
    full = await startFullApi();
    api = full.api;
    const { runtime, clock } = full;
    const scheduler = startScheduler({
      deps: runtime.deps,
      intervalMs: HOUR,
      proposalMaxAgeMs: 72 * HOUR,
      tickMs: 5,
      leaderRetryMs: 20,
      logger: quiet,
      instanceId: 'api-test',
    });
    const finished = async () => (await runtime.store.readAll({ eventTypes: [SCHEDULER_EVENT_TYPES.runFinished] })).length;
    try {
      for (let n = 1; n <= 3; n++) {
        await until(async () => (await finished()) === n, `run ${n}`);
        clock.current = new Date(clock.current.getTime() + HOUR);
      }
    } finally {
      await scheduler.stop();
    }
    const head = (await runtime.store.readAll({ eventTypes: [SCHEDULER_EVENT_TYPES.runFinished] })).at(-1)!.position;
    expect(await runtime.runner.waitFor('scheduler-runs', head, 20_000)).toBe(true);
  });
  afterAll(async () => full?.close());

  it('lists the runs newest first, paginated with limit and cursor', async () => {
    const token = await serviceToken('ops:read');
    const first = await call(api, '/api/ops/runs?limit=2', { token });
    expect(first.status).toBe(200);
    const items = first.body.items as Array<Record<string, unknown>>;
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ instanceId: 'api-test', outcome: 'succeeded', orgs: 0, actionsExpired: 0, errors: [] });
    expect(String(items[0]!.startedAt) > String(items[1]!.startedAt)).toBe(true);
    expect(first.body.nextCursor).toBe(items[1]!.runId);
    const second = await call(api, `/api/ops/runs?limit=2&cursor=${String(first.body.nextCursor)}`, { token });
    expect(second.status).toBe(200);
    expect((second.body.items as unknown[]).length).toBe(1);
    expect(second.body.nextCursor).toBeNull();
    const all = await call(api, '/api/ops/runs', { token });
    expect((all.body.items as unknown[]).length).toBe(3);
  });

  it('admits only service tokens with ops:read; refuses bad limits and cursors with 400', async () => {
    expect((await call(api, '/api/ops/runs')).status).toBe(401);
    expect((await call(api, '/api/ops/runs', { token: await userToken() })).status).toBe(403);
    expect((await call(api, '/api/ops/runs', { token: await serviceToken('maos:approve') })).status).toBe(403);
    expect((await call(api, '/api/ops/runs', { token: await serviceToken('maos:read') })).status).toBe(403);
    const token = await serviceToken('ops:read');
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'cursor=not-a-uuid']) {
      const reply = await call(api, `/api/ops/runs?${query}`, { token });
      expect({ query, status: reply.status, type: reply.body.type }).toEqual({ query, status: 400, type: '/problems/validation-failed' });
    }
  });

  it('is documented in the OpenAPI document', async () => {
    const docs = await call(api, '/api/docs-json');
    const paths = docs.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/api/ops/runs'] ?? {})).toEqual(['get']);
  });
});

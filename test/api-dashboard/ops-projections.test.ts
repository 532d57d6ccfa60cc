import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { formatPosition, withMetadata, type RecordedEvent } from '#event-store';
import { allProjections, SCHEDULER_EVENT_TYPES, schedulerRunStreamName } from '#read-models';
import { call, type RunningApi } from '../api-platform/harness.js';
import { startFullApi, type FullApi } from '../support/full-api.js';
import { serviceToken, userToken } from '../support/tokens.js';

const ctx = () => ({
  command: 'OpsTest',
  actor: { kind: 'system' as const, id: 'ops-test' },
  correlationId: randomUUID(),
  now: new Date(),
});

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface StatusItem {
  name: string;
  state: string;
  position: string | null;
  lagEvents: number | null;
  parkedCount: number;
  haltedReason: string | null;
}

/**
 * GET /api/ops/projections and /api/ops/parked in the real app over a real runtime: a run-started
 * event the scheduler-runs projection cannot apply (its runId is no uuid) is parked by the
 * runner and halts that projection, as any poison event would.
 */
describe('GET /api/ops/projections and /api/ops/parked (scope ops:read)', () => {
  let full: FullApi;
  let api: RunningApi;
  let poison: RecordedEvent;
  let ops: string;

  const statuses = async () => (await call(api, '/api/ops/projections', { token: ops })).body.items as StatusItem[];

  beforeAll(async () => {
    full = await startFullApi();
    api = full.api;
    ops = await serviceToken('ops:read');
    const { runtime } = full;
    const started = (runId: string) =>
      withMetadata(
        [
          {
            type: SCHEDULER_EVENT_TYPES.runStarted,
            data: {
              runId,
              instanceId: 'ops-test-payload-marker',
              scheduledFor: new Date().toISOString(),
              startedAt: new Date().toISOString(),
            },
          },
        ],
        ctx(),
      );
    await runtime.store.append(schedulerRunStreamName(randomUUID()), started(randomUUID()), 'no_stream');
    await runtime.store.append(schedulerRunStreamName('poison'), started('not-a-uuid'), 'no_stream');
    await runtime.store.append(schedulerRunStreamName(randomUUID()), started(randomUUID()), 'no_stream');
    poison = (await runtime.store.readStream(schedulerRunStreamName('poison')))[0]!;
    await until(
      async () => ((await statuses()).find((s) => s.name === 'scheduler-runs')?.state === 'halted' ? true : undefined),
      'the halt',
    );
  });
  afterAll(async () => full?.close());

  it('lists every projection of allProjections with version, state, position, lag and parked count', async () => {
    const reply = await call(api, '/api/ops/projections', { token: ops });
    expect(reply.status).toBe(200);
    const items = reply.body.items as Array<Record<string, unknown>>;
    expect(items.map((i) => i.name)).toEqual(allProjections.map((p) => p.name));
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(
        ['haltedReason', 'lagEvents', 'liveVersion', 'name', 'parkedCount', 'position', 'rebuild', 'state', 'version'].sort(),
      );
      expect(typeof item.lagEvents).toBe('number');
      if (item.position !== null) expect(item.position).toMatch(/^\d+-\d+$/);
    }
    const halted = items.find((i) => i.name === 'scheduler-runs')!;
    // Stopped just before the poison event: it and the event after it are the lag.
    expect(halted).toMatchObject({ version: 1, liveVersion: 1, state: 'halted', lagEvents: 2, parkedCount: 1, rebuild: null });
    expect(String(halted.haltedReason)).toContain(poison.metadata.eventId);
    expect(items.find((i) => i.name === 'revenue-daily')).toMatchObject({ state: 'running', lagEvents: 0, parkedCount: 0 });
  });

  it('lists the parked event without its payload; filters by projection; pages with a keyset cursor', async () => {
    const reply = await call(api, '/api/ops/parked', { token: ops });
    expect(reply.status).toBe(200);
    const [item, ...rest] = reply.body.items as Array<Record<string, unknown>>;
    expect(rest).toEqual([]);
    expect(reply.body.nextCursor).toBeNull();
    expect(Object.keys(item!).sort()).toEqual(
      ['attempts', 'error', 'eventId', 'eventType', 'id', 'parkedAt', 'position', 'projection'].sort(),
    );
    expect(item).toMatchObject({
      projection: 'scheduler-runs',
      eventId: poison.metadata.eventId,
      eventType: SCHEDULER_EVENT_TYPES.runStarted,
      position: formatPosition(poison.position),
      attempts: expect.any(Number),
      error: expect.stringContaining('uuid'),
    });
    expect(reply.text).not.toContain('ops-test-payload-marker'); // the event's data stays in the store
    expect(Date.parse(String(item!.parkedAt))).not.toBeNaN();

    // More parked rows, as a skipping projection leaves them (positions after the poison's).
    const { pool } = full.db;
    await pool.query(sql.unsafe`
      INSERT INTO projection_dead_letters (projection, event_id, event_type, stream_name, stream_revision, commit_position, prepare_position, error, attempts)
      SELECT 'credit-ledger', 'e' || n, 'revenue.action-sent.v1', 's', 0, 9000000 + n, n, 'Error: test', 1 FROM generate_series(1, 3) n`);
    await pool.query(sql.unsafe`
      INSERT INTO projection_dead_letters (projection, event_id, event_type, stream_name, stream_revision, commit_position, prepare_position, error, attempts)
      VALUES ('no-longer-in-code', 'x', 't', 's', 0, 1, 1, 'Error: old', 1)`);
    const all = await call(api, '/api/ops/parked', { token: ops });
    expect((all.body.items as Array<{ eventId: string }>).map((i) => i.eventId)).toEqual([poison.metadata.eventId, 'e1', 'e2', 'e3']);

    const first = await call(api, '/api/ops/parked?projection=credit-ledger&limit=2', { token: ops });
    expect((first.body.items as Array<{ eventId: string }>).map((i) => i.eventId)).toEqual(['e1', 'e2']);
    expect(first.body.nextCursor).toBe((first.body.items as Array<{ id: string }>)[1]!.id);
    const second = await call(api, `/api/ops/parked?projection=credit-ledger&limit=2&cursor=${String(first.body.nextCursor)}`, {
      token: ops,
    });
    expect([(second.body.items as Array<{ eventId: string }>).map((i) => i.eventId), second.body.nextCursor]).toEqual([['e3'], null]);
    const none = await call(api, '/api/ops/parked?projection=revenue-daily', { token: ops });
    expect([none.status, none.body.items, none.body.nextCursor]).toEqual([200, [], null]);
  });

  it('an unknown projection is a 400 naming the known ones; bad limits and cursors are 400', async () => {
    const unknown = await call(api, '/api/ops/parked?projection=nope', { token: ops });
    expect([unknown.status, unknown.body.type]).toEqual([400, '/problems/validation-failed']);
    const detail = JSON.stringify(unknown.body.errors);
    for (const { name } of allProjections) expect(detail).toContain(name);
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'cursor=abc', 'cursor=0', 'cursor=-1', 'cursor=99999999999999999999']) {
      const reply = await call(api, `/api/ops/parked?${query}`, { token: ops });
      expect({ query, status: reply.status, type: reply.body.type }).toEqual({ query, status: 400, type: '/problems/validation-failed' });
    }
  });

  it('401 without a token; 403 for users and for service tokens without ops:read (maos:read included)', async () => {
    const owner = randomUUID();
    const orgId = randomUUID();
    await full.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'ops test org')`);
    await full.db.pool.query(sql.unsafe`INSERT INTO user_organizations (user_id, org_id, role) VALUES (${owner}, ${orgId}, 'owner')`);
    for (const path of ['/api/ops/projections', '/api/ops/parked', '/api/ops/runs', '/api/ops/outbox']) {
      expect({ path, status: (await call(api, path)).status }).toEqual({ path, status: 401 });
      for (const token of [
        await userToken(owner),
        await serviceToken('maos:read'),
        await serviceToken('maos:read maos:approve maos:dispatch audit:read'),
      ]) {
        expect({ path, status: (await call(api, path, { token, orgId })).status }).toEqual({ path, status: 403 });
      }
      expect({ path, status: (await call(api, path, { token: ops })).status }).toEqual({ path, status: 200 });
    }
  });

  it('is documented in the OpenAPI document with scope ops:read', async () => {
    const docs = await call(api, '/api/docs-json');
    const paths = docs.body.paths as Record<string, Record<string, Record<string, unknown>>>;
    for (const path of ['/api/ops/projections', '/api/ops/parked', '/api/ops/runs', '/api/ops/outbox']) {
      expect({ path, scopes: paths[path]?.get?.['x-required-scopes'] }).toEqual({ path, scopes: ['ops:read'] });
    }
  });
});

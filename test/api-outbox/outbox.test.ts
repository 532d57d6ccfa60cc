import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestDatabase } from '#database/testing';
import { parsePosition } from '#event-store';
import { ACTION_TYPES } from '#revenue';
import { OutboxDispatcher, parseChannelConfig, type ChannelConfig, type Runtime } from '#runtime';
import { call, type RunningApi } from '../api-platform/harness.js';
import { addMember, seedGrowingOrg } from '../api-revenue/support/revenue-api.js';
import { startReceiver } from '../outbox/support/receiver.js';
import { startFullApi, type FullApi } from '../support/full-api.js';
import { serviceToken, userToken } from '../support/tokens.js';

const quiet = { info: () => undefined, warn: () => undefined, error: (fields: object, message: string) => console.error(message, fields) };
const SECRET = 'api-outbox-test-secret-0123456789abcdef';

/**
 * The loop over HTTP: an approval through the MAOS API queues the delivery, the dispatcher
 * delivers it to a real receiver, GET /api/ops/outbox shows where each entry stands, and MAOS
 * may no longer report a dispatch the engine owns.
 */
describe('GET /api/ops/outbox and engine-delivered approvals', () => {
  let full: FullApi;
  let db: TestDatabase;
  let runtime: Runtime;
  let api: RunningApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let config: ChannelConfig;
  const maos = () => serviceToken('maos:read maos:approve maos:dispatch');
  const ops = () => serviceToken('ops:read');

  beforeAll(async () => {
    receiver = await startReceiver((request) => (request.path === '/send_email' ? 'error' : 'ok'));
    const parsed = parseChannelConfig({
      CHANNELS: JSON.stringify(
        Object.fromEntries(
          ACTION_TYPES.map((t) => [t, { kind: 'webhook', url: `${receiver.url}/${t}`, secret: SECRET, timeoutMs: 2000, maxAttempts: 2 }]),
        ),
      ),
    });
    if (!('config' in parsed)) throw new Error(parsed.issues.join('\n'));
    config = parsed.config;
    full = await startFullApi({ channels: config });
    ({ db, runtime, api } = full);
  });
  afterAll(async () => {
    await full?.close();
    await receiver?.close();
  });

  /** A tier-1 org whose usage calls for an upsell; analysed, so an offer_upgrade action is proposed. */
  async function proposedAction(): Promise<{ actionId: string; orgId: string }> {
    const orgId = await seedGrowingOrg(db);
    const user = randomUUID();
    await addMember(db, user, orgId, 'owner');
    const owner = await userToken(user);
    const analysis = await call(api, '/api/revenue/analyze', { method: 'POST', token: owner, orgId });
    expect(analysis.status).toBe(200);
    // Read your write (the approvals list is not org-scoped, so wait through an org read).
    const position = analysis.headers.get('x-log-position')!;
    expect((await call(api, '/api/revenue/expansion', { token: owner, orgId, headers: { 'x-min-position': position } })).status).toBe(200);
    const approvals = await call(api, '/api/maos/approvals?limit=200', { token: await maos() });
    const item = (approvals.body.items as Array<{ actionId: string; orgId: string; actionType: string }>).find(
      (i) => i.orgId === orgId && i.actionType === 'offer_upgrade',
    )!;
    return { actionId: item.actionId, orgId };
  }

  it('an approval queues the delivery; the dispatcher delivers it; MAOS cannot report it; the outbox shows it', async () => {
    const { actionId } = await proposedAction();
    const approved = await call(api, `/api/maos/actions/${actionId}/approve`, {
      method: 'POST',
      token: await maos(),
      headers: { 'idempotency-key': `approve-${actionId}` },
    });
    expect([approved.status, approved.body.status]).toEqual([200, 'approved']);
    expect(await runtime.runner.waitFor('action-outbox', parsePosition(approved.headers.get('x-log-position')!)!, 20_000)).toBe(true);
    const waiting = await call(api, '/api/ops/outbox', { token: await ops() });
    expect(waiting.status).toBe(200);
    expect(waiting.body.items).toEqual([
      expect.objectContaining({
        kind: 'delivery',
        actionId,
        actionType: 'offer_upgrade',
        channelKind: 'webhook',
        state: 'waiting',
        attempts: 0,
      }),
    ]);

    const byMaos = await call(api, `/api/maos/actions/${actionId}/dispatch`, {
      method: 'POST',
      token: await maos(),
      headers: { 'idempotency-key': `dispatch-${actionId}` },
      body: { result: 'sent' },
    });
    expect([byMaos.status, byMaos.body.type]).toEqual([409, '/problems/delivery-owned-elsewhere']);

    await new OutboxDispatcher({ deps: runtime.deps, config, logger: quiet }).dispatchDue();
    const head = await runtime.store.headPosition();
    expect(await runtime.runner.waitFor('action-outbox', head!, 20_000)).toBe(true);
    expect(receiver.requests.filter((r) => r.headers['idempotency-key'] === actionId)).toHaveLength(1);
    const sent = await call(api, '/api/ops/outbox?state=sent', { token: await ops() });
    expect(sent.body.items).toEqual([expect.objectContaining({ actionId, state: 'sent', attempts: 1 })]);
  });

  it('admits only service tokens with ops:read; refuses bad kinds, states and limits with 400', async () => {
    expect((await call(api, '/api/ops/outbox')).status).toBe(401);
    expect((await call(api, '/api/ops/outbox', { token: await userToken() })).status).toBe(403);
    expect((await call(api, '/api/ops/outbox', { token: await serviceToken('maos:approve') })).status).toBe(403);
    expect((await call(api, '/api/ops/outbox', { token: await maos() })).status).toBe(403);
    for (const query of ['kind=email', 'state=sent,lost', 'state=', 'limit=0', 'limit=501', 'limit=0x10']) {
      const reply = await call(api, `/api/ops/outbox?${query}`, { token: await ops() });
      expect({ query, status: reply.status, type: reply.body.type }).toEqual({ query, status: 400, type: '/problems/validation-failed' });
    }
    const docs = await call(api, '/api/docs-json');
    expect(Object.keys((docs.body.paths as Record<string, object>)['/api/ops/outbox'] ?? {})).toEqual(['get']);
  });
});

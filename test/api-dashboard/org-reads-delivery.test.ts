import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parsePosition } from '#event-store';
import { ACTION_TYPES } from '#revenue';
import { OutboxDispatcher, parseChannelConfig, type ChannelConfig } from '#runtime';
import { call, type RunningApi } from '../api-platform/harness.js';
import { addMember, seedGrowingOrg } from '../api-revenue/support/revenue-api.js';
import { startReceiver } from '../outbox/support/receiver.js';
import { startFullApi, type FullApi } from '../support/full-api.js';
import { serviceToken, userToken } from '../support/tokens.js';

const quiet = { info: () => undefined, warn: () => undefined, error: (fields: object, message: string) => console.error(message, fields) };
const SECRET = 'org-reads-delivery-secret-0123456789abcdef';
/** Part of every channel URL: a receiver URL often carries a credential, which must never surface. */
const URL_TOKEN = 'hook-credential-5f1d2c';

interface Delivery {
  readonly channel: string;
  readonly state: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
}
interface Action {
  readonly id: string;
  readonly actionType: string;
  readonly status: string;
  readonly delivery: Delivery | null;
}

/**
 * GET /api/revenue/actions/:opportunityId with each action's delivery by the engine, over the
 * real app, runtime, dispatcher and a real receiver: null before approval, then waiting, sent, or
 * retrying and failed with the last error, as the operators' outbox list shows the same entry.
 */
describe('GET /api/revenue/actions/:id delivery', () => {
  let full: FullApi;
  let api: RunningApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let config: ChannelConfig;
  let orgId: string;
  let owner: string;
  const maos = () => serviceToken('maos:read maos:approve');
  const operator = () => serviceToken('maos:read ops:read');

  beforeAll(async () => {
    // offer_upgrade is delivered; the credit offer's receiver fails every time (2 attempts).
    receiver = await startReceiver((request) => (request.path.startsWith('/trigger_client_journey_action') ? 'error' : 'ok'));
    const parsed = parseChannelConfig({
      CHANNELS: JSON.stringify(
        Object.fromEntries(
          ACTION_TYPES.map((t) => [
            t,
            { kind: 'webhook', url: `${receiver.url}/${t}?token=${URL_TOKEN}`, secret: SECRET, timeoutMs: 2000, maxAttempts: 2 },
          ]),
        ),
      ),
    });
    if (!('config' in parsed)) throw new Error(parsed.issues.join('\n'));
    config = parsed.config;
    full = await startFullApi({ channels: config });
    api = full.api;
    orgId = await seedGrowingOrg(full.db);
    const user = randomUUID();
    await addMember(full.db, user, orgId, 'owner');
    owner = await userToken(user);
    const analysis = await call(api, '/api/revenue/analyze', { method: 'POST', token: owner, orgId });
    expect(analysis.status).toBe(200);
    await caughtUp(analysis.headers.get('x-log-position')!);
  });
  afterAll(async () => {
    await full?.close();
    await receiver?.close();
  });

  async function caughtUp(position: string | null): Promise<void> {
    const target = position ? parsePosition(position) : await full.runtime.store.headPosition();
    for (const name of ['revenue-read-model', 'action-outbox']) expect(await full.runtime.runner.waitFor(name, target!, 20_000)).toBe(true);
  }

  /** The org's actions as /actions answers them (every opportunity), for the owner and for a maos:read service. */
  async function actions(): Promise<Action[]> {
    const opportunities = (await call(api, '/api/revenue/opportunities?limit=200', { token: owner, orgId })).body.opportunities as Array<{
      id: string;
    }>;
    const all: Action[] = [];
    for (const { id } of opportunities) {
      const [asOwner, asService] = [
        await call(api, `/api/revenue/actions/${id}`, { token: owner, orgId }),
        await call(api, `/api/revenue/actions/${id}`, { token: await maos(), orgId }),
      ];
      expect([asOwner.status, asService.status]).toEqual([200, 200]);
      expect(asService.body).toEqual(asOwner.body);
      all.push(...(asOwner.body.actions as Action[]));
    }
    return all;
  }
  const byType = async (actionType: string) => (await actions()).find((a) => a.actionType === actionType)!;

  async function approve(actionId: string): Promise<void> {
    const reply = await call(api, `/api/maos/actions/${actionId}/approve`, {
      method: 'POST',
      token: await maos(),
      headers: { 'idempotency-key': `approve-${actionId}` },
    });
    expect([reply.status, reply.body.status]).toEqual([200, 'approved']);
    await caughtUp(reply.headers.get('x-log-position'));
  }

  async function dispatch(): Promise<void> {
    await new OutboxDispatcher({ deps: full.runtime.deps, config, logger: quiet }).dispatchDue();
    await caughtUp(null);
  }

  /** The operators' outbox list agrees on state, attempts and last error. */
  async function expectOutboxAgrees(action: Action): Promise<void> {
    const listed = await call(
      api,
      '/api/ops/outbox?kind=delivery&state=waiting,delivering,retrying,gave-up,sent,failed,expired&limit=500',
      {
        token: await operator(),
      },
    );
    expect(listed.status).toBe(200);
    const entry = (listed.body.items as Array<Record<string, unknown>>).find((i) => i.actionId === action.id)!;
    expect({ state: entry.state, attempts: entry.attempts, lastError: entry.lastError, channel: entry.channelKind }).toEqual({
      state: action.delivery!.state,
      attempts: action.delivery!.attempts,
      lastError: action.delivery!.lastError,
      channel: action.delivery!.channel,
    });
  }

  it('a proposed action has no delivery (MAOS is only notified of the proposal)', async () => {
    const all = await actions();
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.map((a) => [a.status, a.delivery])).toEqual(all.map(() => ['proposed', null]));
  });

  it('approved: waiting; delivered: sent, one attempt, with the time the receiver took it', async () => {
    const upsell = await byType('offer_upgrade');
    await approve(upsell.id);
    const waiting = await byType('offer_upgrade');
    expect(waiting.delivery).toEqual({
      channel: 'webhook',
      state: 'waiting',
      attempts: 0,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: null,
    });
    await expectOutboxAgrees(waiting);

    await dispatch();
    const sent = await byType('offer_upgrade');
    expect(sent.status).toBe('sent');
    expect(sent.delivery).toEqual({
      channel: 'webhook',
      state: 'sent',
      attempts: 1,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: full.clock.now().toISOString(),
    });
    await expectOutboxAgrees(sent);
  });

  it('a failing receiver: retrying with the last error and the next attempt, then failed; no URL or secret in the error', async () => {
    const offer = await byType('trigger_client_journey_action');
    await approve(offer.id);
    await dispatch();
    const retrying = await byType('trigger_client_journey_action');
    expect(retrying.delivery).toEqual({
      channel: 'webhook',
      state: 'retrying',
      attempts: 1,
      lastError: 'HTTP 500',
      nextAttemptAt: expect.any(String),
      deliveredAt: null,
    });
    expect(Date.parse(retrying.delivery!.nextAttemptAt!)).toBeGreaterThan(full.clock.now().getTime());
    await expectOutboxAgrees(retrying);

    full.clock.current = new Date(Date.parse(retrying.delivery!.nextAttemptAt!) + 1);
    await dispatch();
    const failed = await byType('trigger_client_journey_action');
    expect(failed.status).toBe('failed');
    expect(failed.delivery).toEqual({
      channel: 'webhook',
      state: 'failed',
      attempts: 2,
      lastError: 'HTTP 500 (attempt 2 of 2)',
      nextAttemptAt: null,
      deliveredAt: null,
    });
    await expectOutboxAgrees(failed);
    const served = JSON.stringify(await actions());
    for (const secret of [SECRET, URL_TOKEN, receiver.url]) expect(served).not.toContain(secret);
  });

  it('documents delivery on the action schema', async () => {
    const doc = (await call(api, '/api/docs-json')).body as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.components.schemas.ActionDto!.properties)).toContain('delivery');
    expect(Object.keys(doc.components.schemas.DeliveryDto!.properties).sort()).toEqual(
      ['attempts', 'channel', 'deliveredAt', 'lastError', 'nextAttemptAt', 'state'].sort(),
    );
  });
});

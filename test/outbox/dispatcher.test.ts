import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot, sql } from '#database';
import { createMetricsRegistry, type Registry } from '#observability';
import { ACTION_TYPES, type ActionType, type RevenueAccountState } from '#revenue';
import { formatPosition, loadState } from '#event-store';
import { OrgCommand, OrgCommandHandler, RunFullAnalysis, revenueFold, type RevenueDeps } from '#revenue-commands';
import { revenueStreamName } from '#revenue';
import {
  channelRouting,
  listOutbox,
  OutboxDispatcher,
  SIGNATURE_HEADER,
  verifySignature,
  type ChannelConfig,
  type WebhookPayload,
} from '#runtime';
import { createRevenueHarness, seedOrg, type RevenueHarness } from '../revenue/support/revenue-harness.js';
import { startReceiver, type Behaviour, type ReceivedRequest } from './support/receiver.js';

const SECRET = 'outbox-test-secret-0123456789abcdef-0123';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const metric = (registry: Registry, name: string): Promise<string> => registry.getSingleMetricAsString(name);

/** Every channel a webhook to the receiver (path = the action type). */
function webhookConfig(url: string, overrides: Partial<ChannelConfig> = {}): ChannelConfig {
  const channels = Object.fromEntries(
    ACTION_TYPES.map((type) => [type, { kind: 'webhook', url: `${url}/${type}`, secret: SECRET, timeoutMs: 2000, maxAttempts: 4 }]),
  ) as unknown as ChannelConfig['channels'];
  return { channels, maosWebhook: null, defaulted: false, ...overrides };
}

describe('outbox dispatcher against a real HTTP receiver', () => {
  let h: RevenueHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** Per idempotency key, what the receiver does on the 1st, 2nd, ... request ('ok' after the list). */
  const plans = new Map<string, Behaviour[]>();
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    h = await createRevenueHarness();
    receiver = await startReceiver((request, n) => plans.get(String(request.headers['idempotency-key']))?.[n - 1] ?? 'ok');
  });
  afterEach(() => {
    child?.kill('SIGKILL');
    child = null;
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  const depsFor = (config: ChannelConfig): RevenueDeps => ({ ...h.deps, channels: channelRouting(config) });
  const stateOf = async (orgId: string): Promise<RevenueAccountState> =>
    (await loadState(h.store, revenueStreamName(orgId), revenueFold)).state;
  const requestsFor = (actionId: string): ReceivedRequest[] => receiver.requests.filter((r) => r.headers['idempotency-key'] === actionId);
  const eventTypes = async (orgId: string) => (await h.store.readStream(revenueStreamName(orgId))).map((e) => e.type);

  /** An org with one proposed upsell action (offer_upgrade), projected. */
  async function proposedAction(): Promise<{ orgId: string; actionId: string; actionType: ActionType }> {
    const orgId = await seedOrg(h, { tier: 1, balance: 1, days: 30, daily: () => ({ text: 2_000, voice: 0 }) });
    const run = await h.commands.execute(new RunFullAnalysis(orgId, h.meta()));
    await h.caughtUp(run.position);
    const [action] = Object.values(run.state.actions);
    return { orgId, actionId: action!.id, actionType: action!.actionType };
  }

  async function approvedAction(deps: RevenueDeps, plan: Behaviour[] = []) {
    const proposed = await proposedAction();
    plans.set(proposed.actionId, plan);
    const approved = await new OrgCommandHandler(deps).execute(
      new OrgCommand({ kind: 'ApproveAction', orgId: proposed.orgId, actionId: proposed.actionId }, h.meta()),
    );
    expect(approved.events.map((e) => e.type)).toEqual(['revenue.action-approved.v1', 'revenue.action-delivery-queued.v1']);
    await h.caughtUp(approved.position);
    return proposed;
  }

  /** Polls until `done` holds, moving the test clock past every backoff between polls. */
  async function dispatchUntil(dispatchers: OutboxDispatcher[], done: () => Promise<boolean>, polls = 30): Promise<void> {
    for (let i = 0; i < polls; i++) {
      if (await done()) return;
      h.clock.current = new Date(h.clock.current.getTime() + 3_600_000);
      await Promise.all(dispatchers.map((d) => d.dispatchDue()));
    }
    throw new Error(`not done after ${polls} polls`);
  }

  it('every approved action ends sent or failed through 500s, dropped connections, timeouts and slow answers; retries keep the key; signatures verify', async () => {
    const config = webhookConfig(receiver.url);
    const deps = depsFor(config);
    const flaky = await approvedAction(deps, ['error', 'drop', 'hang', 'ok']);
    const slow = await approvedAction(deps, ['slow']);
    const broken = await approvedAction(deps, ['error', 'drop', 'error', 'hang']);
    const dropsOnce = await approvedAction(deps, ['drop']);
    const all = [flaky, slow, broken, dropsOnce];
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const dispatcher = new OutboxDispatcher({ deps, config, logger: quiet, random: () => 0.5, registry });
    expect(await metric(registry, 'revenue_outbox_waiting')).toContain('revenue_outbox_waiting{kind="delivery"} 4');
    const reservedBefore = (await stateOf(broken.orgId)).creditsReserved;

    const settled = async () => {
      for (const a of all) if (['approved'].includes((await stateOf(a.orgId)).actions[a.actionId]!.status)) return false;
      return true;
    };
    await dispatchUntil([dispatcher], settled);

    const status = async (a: { orgId: string; actionId: string }) => (await stateOf(a.orgId)).actions[a.actionId]!.status;
    expect(await status(flaky)).toBe('sent');
    expect(await status(slow)).toBe('sent');
    expect(await status(dropsOnce)).toBe('sent');
    expect(await status(broken)).toBe('failed');
    // The failed one released its reservation; the sent ones were charged once.
    const after = await stateOf(broken.orgId);
    expect(after.actions[broken.actionId]!.creditsReserved).toBe(0);
    expect(after.creditsReserved).toBeCloseTo(reservedBefore - 0.02, 10);
    for (const a of [flaky, slow, dropsOnce]) {
      expect(await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM credit_ledger WHERE action_id = ${a.actionId}`)).toBe(1);
    }
    // Exactly one result per action in its stream, recorded by the dispatcher.
    for (const a of all) {
      const results = (await eventTypes(a.orgId)).filter((t) => t === 'revenue.action-sent.v1' || t === 'revenue.action-failed.v1');
      expect(results).toHaveLength(1);
    }
    const failedEvent = (await h.store.readStream(revenueStreamName(broken.orgId))).find((e) => e.type === 'revenue.action-failed.v1')!;
    expect(failedEvent.metadata.actor).toEqual({ kind: 'system', id: 'outbox-dispatcher' });
    expect((failedEvent.data as { reason: string }).reason).toBe('delivery failed: timed out after 2000 ms (attempt 4 of 4)');

    // Attempts: one request each (a dropped or timed-out one counts); the same key and payload id every time.
    expect(requestsFor(flaky.actionId)).toHaveLength(4);
    expect(requestsFor(slow.actionId)).toHaveLength(1);
    expect(requestsFor(broken.actionId)).toHaveLength(4);
    expect(requestsFor(dropsOnce.actionId)).toHaveLength(2);
    for (const a of all) {
      const payloads = requestsFor(a.actionId).map((r) => JSON.parse(r.body) as WebhookPayload);
      expect(payloads.map((p) => p.attempt)).toEqual(payloads.map((_, i) => i + 1));
      expect(new Set(payloads.map((p) => p.idempotencyKey))).toEqual(new Set([a.actionId]));
      expect(payloads[0]).toMatchObject({
        type: 'action.approved',
        orgId: a.orgId,
        action: { id: a.actionId, actionType: 'offer_upgrade' },
      });
      expect(payloads[0]!.opportunity).toMatchObject({ type: 'upsell', evidence: expect.objectContaining({ tier: 1 }) });
      expect(requestsFor(a.actionId).every((r) => r.path === `/${a.actionType}`)).toBe(true);
    }
    // Every request verifies with the channel's secret at the time it was sent; a changed body or an old one does not.
    for (const r of receiver.requests) {
      const header = String(r.headers[SIGNATURE_HEADER]);
      const sentAt = Number(/t=(\d+)/.exec(header)![1]);
      expect(verifySignature({ secret: SECRET, header, body: r.body, nowSeconds: sentAt + 10 })).toEqual({ ok: true });
      expect(verifySignature({ secret: SECRET, header, body: r.body.replace('"attempt":', '"attempt": '), nowSeconds: sentAt }).ok).toBe(
        false,
      );
      expect(verifySignature({ secret: 'another-secret-of-enough-length-000000', header, body: r.body, nowSeconds: sentAt }).ok).toBe(
        false,
      );
      expect(verifySignature({ secret: SECRET, header, body: r.body, nowSeconds: sentAt + 301 })).toEqual({
        ok: false,
        reason: 'timestamp outside the tolerance (a replay, or a clock far off)',
      });
    }
    // Metrics: 4 + 1 + 4 + 2 attempts; 6 retried; one given up; nothing left waiting.
    expect(await metric(registry, 'revenue_outbox_delivered_total')).toContain('revenue_outbox_delivered_total{kind="delivery"} 3');
    expect(await metric(registry, 'revenue_outbox_failures_total')).toContain('revenue_outbox_failures_total{kind="delivery"} 1');
    expect(await metric(registry, 'revenue_outbox_waiting')).toContain('revenue_outbox_waiting{kind="delivery"} 0');
    expect(await metric(registry, 'revenue_outbox_retries_total')).toContain('revenue_outbox_retries_total{kind="delivery"} 7');
    expect(await metric(registry, 'revenue_outbox_attempts_total')).toContain(
      'revenue_outbox_attempts_total{kind="delivery",channel="offer_upgrade",result="error"} 8',
    );
    // The operators' view: settled entries with the last error of the failed one.
    const head = await h.store.headPosition();
    await h.caughtUp(head ? formatPosition(head) : null);
    const rows = await listOutbox(h.db.pool, { kind: 'delivery', states: ['sent', 'failed'], limit: 50, now: h.clock.now() });
    const byAction = new Map(rows.map((r) => [r.actionId, r]));
    expect(byAction.get(broken.actionId)).toMatchObject({
      state: 'failed',
      attempts: 4,
      lastError: 'timed out after 2000 ms (attempt 4 of 4)',
    });
    expect(byAction.get(flaky.actionId)).toMatchObject({ state: 'sent', attempts: 4, lastError: null });
  });

  it("the receiver's check shown in docs/WEBHOOKS.md verifies the real deliveries and refuses changed or replayed ones", async () => {
    const doc = readFileSync(join(projectRoot(), 'docs/WEBHOOKS.md'), 'utf8');
    const block = /<!-- verify-start[^>]*-->\s*```js\n([\s\S]*?)```\s*<!-- verify-end -->/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'webhooks-doc-'));
    writeFileSync(join(dir, 'verify.mjs'), block!);
    const { verifyRevenueEngineSignature: verify } = (await import(pathToFileURL(join(dir, 'verify.mjs')).href)) as {
      verifyRevenueEngineSignature: (secret: string, header: unknown, body: string, now?: number, tolerance?: number) => boolean;
    };
    rmSync(dir, { recursive: true });
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const r of receiver.requests.filter((r) => r.path !== '/maos')) {
      const header = String(r.headers[SIGNATURE_HEADER]);
      const t = Number(/t=(\d+)/.exec(header)![1]);
      expect(verify(SECRET, header, r.body, t + 60)).toBe(true);
      expect(verify(SECRET, header, `${r.body} `, t)).toBe(false);
      expect(verify(SECRET, header, r.body, t + 301)).toBe(false);
      expect(verify(SECRET, undefined, r.body, t)).toBe(false);
    }
  });

  it('a projection rebuild delivers nothing again', async () => {
    const config = webhookConfig(receiver.url);
    const deps = depsFor(config);
    const done = await approvedAction(deps);
    const dispatcher = new OutboxDispatcher({ deps, config, logger: quiet });
    await dispatchUntil([dispatcher], async () => (await stateOf(done.orgId)).actions[done.actionId]!.status === 'sent');
    const before = receiver.requests.length;

    await h.runner.rebuild('action-outbox', { timeoutMs: 60_000 });
    await h.runner.rebuild('revenue-read-model', { timeoutMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      h.clock.current = new Date(h.clock.current.getTime() + 3_600_000);
      expect(await dispatcher.dispatchDue()).toBe(0);
    }
    expect(receiver.requests.length).toBe(before);
    // The rebuilt outbox holds the same entries, every one settled.
    expect(
      await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM action_outbox WHERE kind = 'delivery' AND settled_at IS NULL`),
    ).toBe(0);
    expect(await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM action_outbox WHERE action_id = ${done.actionId}`)).toBe(2);
  });

  it('two dispatchers at once send each action once', async () => {
    const config = webhookConfig(receiver.url);
    const deps = depsFor(config);
    const actions: Array<{ orgId: string; actionId: string }> = [];
    for (let i = 0; i < 6; i++) actions.push(await approvedAction(deps));
    const first = new OutboxDispatcher({ deps, config, logger: quiet, instanceId: 'one', batchSize: 3 });
    const second = new OutboxDispatcher({ deps, config, logger: quiet, instanceId: 'two', batchSize: 3 });
    await dispatchUntil([first, second], async () => {
      for (const a of actions) if ((await stateOf(a.orgId)).actions[a.actionId]!.status !== 'sent') return false;
      return true;
    });
    for (const a of actions) expect(requestsFor(a.actionId)).toHaveLength(1);
  });

  it('an external channel is reported by MAOS only, an engine channel by the engine only', async () => {
    const config = webhookConfig(receiver.url);
    const external: ChannelConfig = { ...config, channels: { ...config.channels, offer_upgrade: { kind: 'external' } } };
    const byMaos = await proposedAction();
    const approved = await new OrgCommandHandler(depsFor(external)).execute(
      new OrgCommand({ kind: 'ApproveAction', orgId: byMaos.orgId, actionId: byMaos.actionId }, h.meta()),
    );
    expect(approved.events.map((e) => e.type)).toEqual(['revenue.action-approved.v1']);
    const engineReport = new OrgCommandHandler(h.deps).execute(
      new OrgCommand(
        { kind: 'RecordActionDispatch', orgId: byMaos.orgId, actionId: byMaos.actionId, result: 'sent', reportedBy: 'engine' },
        h.meta(),
      ),
    );
    await expect(engineReport).rejects.toMatchObject({ code: 'delivery_owned_elsewhere' });

    const byEngine = await approvedAction(depsFor(config), ['hang']);
    const maosReport = new OrgCommandHandler(h.deps).execute(
      new OrgCommand({ kind: 'RecordActionDispatch', orgId: byEngine.orgId, actionId: byEngine.actionId, result: 'sent' }, h.meta()),
    );
    await expect(maosReport).rejects.toMatchObject({ code: 'delivery_owned_elsewhere' });
  });

  it('notifies MAOS of new proposals, signed the same way; a proposal decided before its notice is not notified', async () => {
    const maosSecret = 'maos-webhook-secret-abcdefghijklmnopqrstuvwxyz';
    const config = webhookConfig(receiver.url, {
      maosWebhook: { url: `${receiver.url}/maos`, secret: maosSecret, timeoutMs: 500, maxAttempts: 3 },
    });
    const notified = await proposedAction();
    const decided = await proposedAction();
    const rejected = await new OrgCommandHandler(h.deps).execute(
      new OrgCommand({ kind: 'RejectAction', orgId: decided.orgId, actionId: decided.actionId, reason: 'not now' }, h.meta()),
    );
    await h.caughtUp(rejected.position);
    const dispatcher = new OutboxDispatcher({ deps: depsFor(config), config, logger: quiet });
    await dispatchUntil([dispatcher], async () =>
      receiver.requests.some((r) => r.path === '/maos' && r.headers['idempotency-key'] === notified.actionId),
    );
    for (let i = 0; i < 2; i++) await dispatcher.dispatchDue();
    const notices = receiver.requests.filter((r) => r.path === '/maos');
    expect(notices.filter((r) => r.headers['idempotency-key'] === notified.actionId)).toHaveLength(1);
    expect(notices.filter((r) => r.headers['idempotency-key'] === decided.actionId)).toHaveLength(0);
    const notice = notices.find((r) => r.headers['idempotency-key'] === notified.actionId)!;
    expect(JSON.parse(notice.body)).toMatchObject({ type: 'action.proposed', action: { id: notified.actionId, status: 'proposed' } });
    const t = Number(/t=(\d+)/.exec(String(notice.headers[SIGNATURE_HEADER]))![1]);
    expect(
      verifySignature({ secret: maosSecret, header: String(notice.headers[SIGNATURE_HEADER]), body: notice.body, nowSeconds: t }),
    ).toEqual({
      ok: true,
    });
  });

  it('a dispatcher killed with SIGKILL mid-delivery: the next one delivers again with the same key, recorded once', async () => {
    const config = webhookConfig(receiver.url, {});
    const longTimeout: ChannelConfig = {
      ...config,
      channels: Object.fromEntries(
        ACTION_TYPES.map((t) => [t, { ...config.channels[t], timeoutMs: 60_000 }]),
      ) as unknown as ChannelConfig['channels'],
    };
    const action = await approvedAction(depsFor(longTimeout), ['hang', 'ok']);
    child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', join(projectRoot(), 'test/outbox/support/dispatcher-child.ts')],
      {
        cwd: projectRoot(),
        env: {
          ...process.env,
          OUTBOX_DB_URL: h.db.url,
          OUTBOX_CHANNELS: JSON.stringify(
            Object.fromEntries(
              ACTION_TYPES.map((t) => [t, { kind: 'webhook', url: `${receiver.url}/${t}`, secret: SECRET, timeoutMs: 60_000 }]),
            ),
          ),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.once('exit', (_code, signal) => resolve(signal)));
    await receiver.arrived((r) => r.headers['idempotency-key'] === action.actionId);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    child = null;
    expect((await stateOf(action.orgId)).actions[action.actionId]!.status).toBe('approved');
    expect(await h.db.pool.one(sql.unsafe`SELECT attempts, locked_by FROM outbox_deliveries WHERE action_id = ${action.actionId}`)).toEqual(
      {
        attempts: 1,
        locked_by: 'child',
      },
    );

    // After the killed one's lease ran out (its clock is the real one).
    h.clock.current = new Date(Date.now() + 10 * 60_000);
    const dispatcher = new OutboxDispatcher({ deps: depsFor(longTimeout), config: longTimeout, logger: quiet });
    await dispatcher.dispatchDue();
    expect((await stateOf(action.orgId)).actions[action.actionId]!.status).toBe('sent');
    const requests = requestsFor(action.actionId).map((r) => JSON.parse(r.body) as WebhookPayload);
    expect(requests.map((p) => [p.idempotencyKey, p.attempt])).toEqual([
      [action.actionId, 1],
      [action.actionId, 2],
    ]);
    expect((await eventTypes(action.orgId)).filter((t) => t === 'revenue.action-sent.v1')).toHaveLength(1);
    expect(output).toContain('dispatcher started');
  }, 180_000);
});

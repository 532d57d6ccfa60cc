import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { serviceToken } from '../support/tokens.js';
import { call, stable } from '../api-platform/harness.js';
import { type MaosApi, orgWithProposedAction, startMaosApi, streamEventTypes } from './support/maos-harness.js';

/** The MAOS command API end to end: HTTP -> commands -> event store -> projections -> rows. */
describe('MAOS commands', () => {
  let api: MaosApi;
  let token: string;

  beforeAll(async () => {
    api = await startMaosApi();
    token = await serviceToken('maos:read maos:approve maos:dispatch');
  });
  afterAll(async () => api?.close());

  const command = (actionId: string, verb: string, body: unknown, headers: Record<string, string> = {}) =>
    call(api, `/api/maos/actions/${actionId}/${verb}`, {
      method: 'POST',
      token,
      body,
      headers: { 'idempotency-key': randomUUID(), ...headers },
    });
  const wallet = async (orgId: string) =>
    Number(await api.db.pool.oneFirst(sql.unsafe`SELECT balance::float8 FROM token_wallets WHERE org_id = ${orgId}`));
  const actionRow = (actionId: string) =>
    api.db.pool.one(
      sql.unsafe`SELECT status, reason, credits_reserved::float8 AS reserved, credits_charged::float8 AS charged FROM revenue_actions WHERE id = ${actionId}`,
    );

  it('lists pending approvals oldest first with the revision to use as If-Match, page by page', async () => {
    const first = await orgWithProposedAction(api);
    const second = await orgWithProposedAction(api);
    const all: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    do {
      const page = await call(api, `/api/maos/approvals?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(page.status).toBe(200);
      const items = page.body.items as Array<Record<string, unknown>>;
      expect(items.length).toBeLessThanOrEqual(1);
      all.push(...items);
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    const ids = all.map((i) => i.actionId);
    expect(new Set(ids).size).toBe(ids.length); // no row twice across pages
    expect(ids).toEqual(expect.arrayContaining([first.actionId, second.actionId]));
    expect(all.map((i) => i.proposedAt)).toEqual([...all.map((i) => i.proposedAt as string)].sort());
    const item = all.find((i) => i.actionId === first.actionId)!;
    const revision = await api.db.pool.oneFirst(
      sql.unsafe`SELECT revision FROM event_store.streams WHERE stream_name = ${`revenue-org-${first.orgId}`}`,
    );
    expect(item).toMatchObject({
      orgId: first.orgId,
      opportunityType: 'upsell',
      actionType: 'offer_upgrade',
      creditsReserved: 0.02,
      revision: String(revision),
    });
    expect(item.confidence).toBeCloseTo(0.85, 5);
    expect((await call(api, '/api/maos/approvals?cursor=not-a-cursor', { token })).body.type).toBe('/problems/invalid-cursor');
    expect((await call(api, '/api/maos/approvals?limit=0', { token })).status).toBe(400);
  });

  it('approve -> dispatch sent -> outcome accepted: credits charged once, opportunity won, headers carry revision and position', async () => {
    const { orgId, actionId } = await orgWithProposedAction(api);
    const before = await wallet(orgId);
    const approved = await command(actionId, 'approve', undefined);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ success: true, actionId, status: 'approved' });
    expect(approved.headers.get('etag')).toBe(`"${approved.body.revision as string}"`);
    expect(approved.headers.get('x-log-position')).toBe(approved.body.position);
    const sent = await command(actionId, 'dispatch', { result: 'sent' });
    expect(sent.body).toMatchObject({ status: 'sent' });
    const accepted = await command(actionId, 'outcome', { outcome: 'accepted' });
    expect(accepted.body).toMatchObject({ status: 'accepted' });
    await api.caughtUp(accepted.body.position as string);
    expect(await actionRow(actionId)).toEqual({ status: 'accepted', reason: null, reserved: 0, charged: 0.02 });
    expect(await api.db.pool.anyFirst(sql.unsafe`SELECT amount::float8 FROM credit_ledger WHERE action_id = ${actionId}`)).toEqual([0.02]);
    expect(await wallet(orgId)).toBeCloseTo(before - 0.02, 10);
    expect(
      await api.db.pool.oneFirst(sql.unsafe`SELECT status FROM revenue_opportunities WHERE org_id = ${orgId} AND type = 'upsell'`),
    ).toBe('won');
  });

  it('reject keeps the reason and releases the credits; a failed dispatch releases them without a charge', async () => {
    const rejectedOrg = await orgWithProposedAction(api);
    const rejected = await command(rejectedOrg.actionId, 'reject', { reason: 'not this quarter' });
    expect(rejected.body).toMatchObject({ status: 'rejected' });
    const failedOrg = await orgWithProposedAction(api);
    await command(failedOrg.actionId, 'approve', undefined);
    const noReason = await command(failedOrg.actionId, 'dispatch', { result: 'failed' });
    expect(noReason.status).toBe(422); // the domain requires a reason for a failure
    expect(noReason.body).toMatchObject({ type: '/problems/invalid-command', code: 'invalid_command' });
    const failed = await command(failedOrg.actionId, 'dispatch', { result: 'failed', reason: 'smtp down' });
    expect(failed.body).toMatchObject({ status: 'failed' });
    await api.caughtUp(failed.body.position as string);
    await api.caughtUp(rejected.body.position as string);
    expect(await actionRow(rejectedOrg.actionId)).toEqual({ status: 'rejected', reason: 'not this quarter', reserved: 0, charged: 0 });
    expect(await actionRow(failedOrg.actionId)).toMatchObject({ status: 'failed', reserved: 0, charged: 0 });
    expect(
      await api.db.pool.anyFirst(
        sql.unsafe`SELECT action_id FROM credit_ledger WHERE action_id IN (${rejectedOrg.actionId}, ${failedOrg.actionId})`,
      ),
    ).toEqual([]);
    expect(await wallet(failedOrg.orgId)).toBe(1);
    // Outcome before the action was sent: refused as an invalid transition.
    const early = await command(rejectedOrg.actionId, 'outcome', { outcome: 'accepted' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ type: '/problems/invalid-transition', code: 'invalid_transition' });
  });

  it('a retry with the same key returns the first response and appends nothing; another request under it is 422', async () => {
    const { orgId, actionId } = await orgWithProposedAction(api);
    const key = randomUUID();
    const first = await command(actionId, 'reject', { reason: 'too early' }, { 'idempotency-key': key });
    const eventsAfterFirst = await streamEventTypes(api, orgId);
    const retry = await command(actionId, 'reject', { reason: 'too early' }, { 'idempotency-key': key });
    expect(retry.status).toBe(first.status);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await streamEventTypes(api, orgId)).toEqual(eventsAfterFirst);
    expect(eventsAfterFirst.filter((t) => t === 'revenue.action-rejected.v1')).toHaveLength(1);
    const other = await command(actionId, 'reject', { reason: 'another reason' }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('/problems/idempotency-key-reused');
    // A refusal the command decided is replayed too, not re-decided.
    const refusedKey = randomUUID();
    const refused = await command(actionId, 'approve', undefined, { 'idempotency-key': refusedKey });
    const refusedAgain = await command(actionId, 'approve', undefined, { 'idempotency-key': refusedKey });
    expect([refused.status, refusedAgain.status]).toEqual([409, 409]);
    expect(stable(refusedAgain.body)).toEqual(stable(refused.body));
  });

  it('refuses unstorable text and deep nesting with 400 before anything runs: no event, the action unchanged', async () => {
    const { actionId } = await orgWithProposedAction(api);
    const head = async () => api.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM event_store.events`);
    const before = await head();
    const deep = `{"reason":${'['.repeat(45_000)}${']'.repeat(45_000)}}`; // about 90 KB: under the body limit
    const replies = await Promise.all([
      command(actionId, 'reject', { reason: 'a\u0000b' }),
      command(actionId, 'reject', { reason: 'x\ud800y' }),
      call(api, `/api/maos/actions/${actionId}/reject`, {
        method: 'POST',
        token,
        rawBody: deep,
        headers: { 'idempotency-key': randomUUID() },
      }),
    ]);
    expect(replies.map((r) => [r.status, r.body.type])).toEqual([
      [400, '/problems/validation-failed'],
      [400, '/problems/validation-failed'],
      [400, '/problems/validation-failed'],
    ]);
    expect(await head()).toBe(before);
    expect((await actionRow(actionId)).status).toBe('proposed');
  });

  it('a key whose first request is still running answers 409', async () => {
    const { actionId } = await orgWithProposedAction(api);
    const key = randomUUID();
    const body = {};
    // Simulates the first request in flight: its claim holds a live lease.
    const { fingerprint } = await import('#api');
    await api.db.pool.query(sql.unsafe`
      INSERT INTO api_idempotency_keys (principal, idempotency_key, fingerprint, lease_until)
      VALUES ('service:maos', ${key}, ${fingerprint({ operation: `POST /api/maos/actions/${actionId}/approve`, body, ifMatch: undefined })}, now() + interval '1 hour')`);
    const reply = await command(actionId, 'approve', undefined, { 'idempotency-key': key });
    expect(reply.status).toBe(409);
    expect(reply.body.type).toBe('/problems/request-in-progress');
    expect(reply.headers.get('retry-after')).toBe('1');
    // Once the lease has run out (the first caller died), the same request takes the key over.
    await api.db.pool.query(
      sql.unsafe`UPDATE api_idempotency_keys SET lease_until = now() - interval '1 second' WHERE idempotency_key = ${key}`,
    );
    const takeover = await command(actionId, 'approve', undefined, { 'idempotency-key': key });
    expect(takeover.body).toMatchObject({ success: true, status: 'approved' });
  });

  it('If-Match: the listed revision is accepted, a stale one is 412, a malformed one 400', async () => {
    const { orgId, actionId } = await orgWithProposedAction(api);
    const listed = (await call(api, '/api/maos/approvals?limit=200', { token })).body.items as Array<Record<string, unknown>>;
    const revision = listed.find((i) => i.actionId === actionId)!.revision as string;
    const stale = await command(actionId, 'approve', undefined, { 'if-match': `"${BigInt(revision) - 1n}"` });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ type: '/problems/precondition-failed', currentRevision: revision });
    expect(await streamEventTypes(api, orgId)).not.toContain('revenue.action-approved.v1');
    expect((await command(actionId, 'approve', undefined, { 'if-match': 'abc' })).status).toBe(400);
    const ok = await command(actionId, 'approve', undefined, { 'if-match': `"${revision}"` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe(`"${BigInt(revision) + 1n}"`);
  });

  it('50 concurrent approvals of one action (different keys): one approval event, every answer 200 approved', async () => {
    const { orgId, actionId } = await orgWithProposedAction(api);
    const replies = await Promise.all(Array.from({ length: 50 }, () => command(actionId, 'approve', undefined)));
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(replies.map((r) => r.body.status))).toEqual(new Set(['approved']));
    // Exactly one wrote; the others found the approval already in effect (position null).
    expect(replies.filter((r) => r.body.position !== null)).toHaveLength(1);
    expect((await streamEventTypes(api, orgId)).filter((t) => t === 'revenue.action-approved.v1')).toHaveLength(1);
  });

  it('names what is wrong: no key, bad key, unknown action, non-uuid action, bad body', async () => {
    const { actionId } = await orgWithProposedAction(api);
    const post = (path: string, body: unknown, headers: Record<string, string>) =>
      call(api, path, { method: 'POST', token, body, headers });
    expect((await post(`/api/maos/actions/${actionId}/approve`, undefined, {})).body.type).toBe('/problems/idempotency-key-required');
    expect((await post(`/api/maos/actions/${actionId}/approve`, undefined, { 'idempotency-key': 'short' })).body.type).toBe(
      '/problems/invalid-idempotency-key',
    );
    const unknown = await command(randomUUID(), 'approve', undefined);
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/caught up/);
    expect((await command('not-a-uuid', 'approve', undefined)).body.type).toBe('/problems/invalid-action-id');
    expect((await command(actionId, 'dispatch', { result: 'lost' })).status).toBe(400);
    expect((await command(actionId, 'reject', { reason: 'x', extra: 1 })).status).toBe(400);
  });
});

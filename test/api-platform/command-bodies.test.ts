import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_TEXT_LENGTH } from '#revenue';
import { type MaosApi, orgWithProposedAction, startMaosApi } from '../api-maos/support/maos-harness.js';
import { addMember, type RevenueApi, seedGrowingOrg, startRevenueApi } from '../api-revenue/support/revenue-api.js';
import { serviceToken, userToken } from '../support/tokens.js';
import { call } from './harness.js';

/** Body rules on the real commands: what the DTO lets through is exactly what the domain accepts. */
describe('bodies of the MAOS commands', () => {
  let api: MaosApi;
  let token: string;
  let known: { orgId: string; actionId: string };
  const command = (verb: string, options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}) =>
    call(api, `/api/maos/actions/${known.actionId}/${verb}`, {
      method: 'POST',
      token,
      ...options,
      headers: { 'idempotency-key': randomUUID(), ...options.headers },
    });

  beforeAll(async () => {
    api = await startMaosApi();
    token = await serviceToken('maos:read maos:approve maos:dispatch');
    known = await orgWithProposedAction(api);
  });
  afterAll(async () => api?.close());

  it('refuses a body on approve (it takes none) with 400 body-not-accepted, and no event is written', async () => {
    const head = await api.store.headPosition();
    for (const body of [{}, { reason: 'x' }]) {
      const reply = await command('approve', { body });
      expect({ status: reply.status, type: reply.body.type, contentType: reply.contentType.split(';')[0] }).toEqual({
        status: 400,
        type: '/problems/body-not-accepted',
        contentType: 'application/problem+json',
      });
    }
    expect(await api.store.headPosition()).toEqual(head);
  });

  it('refuses a text/plain reason with 415 naming application/json', async () => {
    const reply = await command('reject', { rawBody: 'reason=no', headers: { 'content-type': 'text/plain' } });
    expect({ status: reply.status, type: reply.body.type }).toEqual({ status: 415, type: '/problems/unsupported-media-type' });
    expect(reply.body.detail).toContain('application/json');
  });

  it('counts a reason as the domain does: 500 emoji (1,000 UTF-16 units) is a 400 naming the field, not a 422', async () => {
    const head = await api.store.headPosition();
    for (const reason of ['😀'.repeat(MAX_TEXT_LENGTH), 'x'.repeat(MAX_TEXT_LENGTH + 1), '   ', '😀'.repeat(MAX_TEXT_LENGTH / 2) + 'x']) {
      const reply = await command('reject', { body: { reason } });
      expect({ reason: reason.slice(0, 8), status: reply.status, type: reply.body.type }).toEqual({
        reason: reason.slice(0, 8),
        status: 400,
        type: '/problems/validation-failed',
      });
      expect(reply.body.errors).toEqual([{ pointer: '#/reason', detail: expect.stringContaining('reason') }]);
    }
    expect(await api.store.headPosition()).toEqual(head);
    // Exactly at the limit once trimmed (surrounding spaces do not count): accepted by both layers.
    const ok = await command('reject', { body: { reason: ` ${'😀'.repeat(MAX_TEXT_LENGTH / 2)} ` } });
    expect({ status: ok.status, state: ok.body.status }).toEqual({ status: 200, state: 'rejected' });
  });
});

describe('bodies of the revenue commands', () => {
  let api: RevenueApi;
  let token: string;
  let orgId: string;

  beforeAll(async () => {
    api = await startRevenueApi();
    orgId = await seedGrowingOrg(api.db);
    const owner = randomUUID();
    await addMember(api.db, owner, orgId, 'owner');
    token = await userToken(owner);
  });
  afterAll(async () => api?.close());

  it('refuses a body on POST /api/revenue/analyze with 400 body-not-accepted, before anything runs', async () => {
    const head = await api.store.headPosition();
    const reply = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId, body: { force: true } });
    expect({ status: reply.status, type: reply.body.type }).toEqual({ status: 400, type: '/problems/body-not-accepted' });
    const form = await call(api, '/api/revenue/analyze', {
      method: 'POST',
      token,
      orgId,
      rawBody: 'force=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect({ status: form.status, type: form.body.type }).toEqual({ status: 415, type: '/problems/unsupported-media-type' });
    expect(await api.store.headPosition()).toEqual(head);
    const run = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId });
    expect(run.status).toBeLessThan(300);
  });
});

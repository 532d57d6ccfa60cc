import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { call } from '../api-platform/harness.js';
import { serviceToken } from '../support/tokens.js';
import { type MaosApi, orgWithProposedAction, startMaosApi, streamEventTypes } from './support/maos-harness.js';

describe('MAOS org erasure', () => {
  let api: MaosApi;
  let token: string;

  beforeAll(async () => {
    api = await startMaosApi();
    token = await serviceToken('maos:erase maos:approve maos:dispatch');
  });
  afterAll(async () => api?.close());

  const erase = (orgId: string, key: string = randomUUID()) =>
    call(api, `/api/maos/orgs/${orgId}`, { method: 'DELETE', token, headers: { 'idempotency-key': key } });
  const countRows = async (orgId: string) => ({
    opportunities: Number(await api.db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_opportunities WHERE org_id = ${orgId}`)),
    actions: Number(await api.db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_actions WHERE org_id = ${orgId}`)),
    orgStreams: Number(await api.db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_org_streams WHERE org_id = ${orgId}`)),
    ledgerEntries: Number(await api.db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM credit_ledger WHERE org_id = ${orgId}`)),
  });

  it('removes the events and rows, and records the erasure without the org id in clear', async () => {
    const { orgId, actionId } = await orgWithProposedAction(api);
    const other = await orgWithProposedAction(api);
    // A charged action, so the credit ledger has a row too.
    for (const [verb, body] of [
      ['approve', undefined],
      ['dispatch', { result: 'sent' }],
    ] as const) {
      const reply = await call(api, `/api/maos/actions/${actionId}/${verb}`, {
        method: 'POST',
        token,
        ...(body ? { body } : {}),
        headers: { 'idempotency-key': randomUUID() },
      });
      await api.caughtUp(reply.body.position as string);
    }
    const eventsBefore = (await streamEventTypes(api, orgId)).length;
    const rowsBefore = await countRows(orgId);
    expect(rowsBefore.ledgerEntries).toBe(1);

    const reply = await erase(orgId);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      success: true,
      erased: true,
      counts: { events: eventsBefore, ...rowsBefore },
      position: expect.any(String),
    });
    expect(await streamEventTypes(api, orgId)).toEqual([]);
    expect(await countRows(orgId)).toEqual({ opportunities: 0, actions: 0, orgStreams: 0, ledgerEntries: 0 });
    // Another org is untouched.
    expect((await streamEventTypes(api, other.orgId)).length).toBeGreaterThan(0);
    expect((await countRows(other.orgId)).opportunities).toBeGreaterThan(0);

    const records = await api.db.pool.any(
      sql.unsafe`SELECT event_type, data::text AS data, metadata::text AS metadata FROM event_store.events WHERE stream_name = 'revenue-erasures'`,
    );
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record.event_type).toBe('erasure.org-erased.v1');
    expect(`${record.data as string}${record.metadata as string}`).not.toContain(orgId);
    expect(JSON.parse(record.data as string)).toMatchObject({
      orgIdSha256: createHash('sha256').update(orgId).digest('hex'),
      counts: { events: eventsBefore, ...rowsBefore },
    });
    expect(JSON.parse(record.metadata as string)).toMatchObject({ actor: { kind: 'service', id: 'maos' }, command: 'EraseOrganization' });
  });

  it('is idempotent: a second call has nothing to do and records nothing; the same key replays the first answer', async () => {
    const { orgId } = await orgWithProposedAction(api);
    const key = randomUUID();
    const first = await erase(orgId, key);
    expect(first.body.erased).toBe(true);
    const replay = await erase(orgId, key);
    expect(replay.body).toEqual(first.body);
    const second = await erase(orgId);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      success: true,
      erased: false,
      counts: { events: 0, opportunities: 0, actions: 0, orgStreams: 0, ledgerEntries: 0 },
      position: null,
    });
    const hash = createHash('sha256').update(orgId).digest('hex');
    const records = await api.db.pool.anyFirst(
      sql.unsafe`SELECT 1 FROM event_store.events WHERE stream_name = 'revenue-erasures' AND data->>'orgIdSha256' = ${hash}`,
    );
    expect(records).toHaveLength(1);
  });

  it('refuses a malformed org id and an If-Match', async () => {
    expect((await erase('not-a-uuid')).body.type).toBe('/problems/invalid-org-id');
    const withIfMatch = await call(api, `/api/maos/orgs/${randomUUID()}`, {
      method: 'DELETE',
      token,
      headers: { 'idempotency-key': randomUUID(), 'if-match': '"3"' },
    });
    expect(withIfMatch.status).toBe(400);
  });
});

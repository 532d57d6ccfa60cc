import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { call, type Reply } from '../api-platform/harness.js';
import { userToken } from '../support/tokens.js';
import { addMember, type RevenueApi, seedGrowingOrg, startRevenueApi } from './support/revenue-api.js';

/** The spec's four endpoints over real HTTP, commands and projections. */
describe('revenue query API', () => {
  let api: RevenueApi;
  const owner = randomUUID();
  let orgId: string;
  let listOrg: string;
  let token: string;
  let analysis: Reply;

  beforeAll(async () => {
    api = await startRevenueApi();
    orgId = await seedGrowingOrg(api.db);
    listOrg = await seedGrowingOrg(api.db);
    await addMember(api.db, owner, orgId, 'owner');
    await addMember(api.db, owner, listOrg, 'owner');
    token = await userToken(owner);
    analysis = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId });
  });
  afterAll(async () => api?.close());

  const get = (path: string, headers: Record<string, string> = {}, org = orgId) => call(api, path, { token, orgId: org, headers });
  const minPosition = () => ({ 'x-min-position': analysis.headers.get('x-log-position')! });

  it('POST /analyze answers exactly the spec shape, with the log position and the stream revision', async () => {
    expect(analysis.status).toBe(200);
    expect(Object.keys(analysis.body)).toEqual(['success', 'analysis']);
    expect(analysis.body).toEqual({
      success: true,
      analysis: { upsellOpportunities: 1, churnRisks: 0, actionsTriggered: expect.any(Number), potentialMRR: expect.any(Number) },
    });
    expect(Object.keys(analysis.body.analysis as object).sort()).toEqual([
      'actionsTriggered',
      'churnRisks',
      'potentialMRR',
      'upsellOpportunities',
    ]);
    expect(analysis.headers.get('x-log-position')).toMatch(/^\d+-\d+$/);
    expect(analysis.headers.get('etag')).toMatch(/^"\d+"$/);
  });

  it('GET with X-Min-Position reads the analysis back (read-your-writes)', async () => {
    const reply = await get('/api/revenue/opportunities', minPosition());
    expect(reply.status).toBe(200);
    expect(reply.body.success).toBe(true);
    expect(reply.body.nextCursor).toBeNull();
    const opportunities = reply.body.opportunities as Array<Record<string, unknown>>;
    expect(opportunities.map((o) => o.type)).toContain('upsell');
    expect(opportunities[0]).toEqual({
      id: expect.any(String),
      type: expect.any(String),
      source: expect.any(String),
      confidence: expect.any(Number),
      details: expect.any(Object),
      status: 'open',
      evidence: expect.any(Object),
      ruleSetVersion: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      closedAt: null,
      experimentId: null,
      arm: null,
      observation: null,
    });
  });

  it('GET /expansion matches the potentialMRR the analysis reported', async () => {
    const reply = await get('/api/revenue/expansion', minPosition());
    expect(reply.status).toBe(200);
    const expansion = reply.body.expansion as Record<string, unknown>;
    expect(reply.body).toEqual({
      success: true,
      expansion: {
        potentialMRR: expect.any(Number),
        opportunities: expect.any(Number),
        topOpportunity: expect.any(Object),
        byArm: {
          treatment: { potentialMRR: expect.any(Number), opportunities: expect.any(Number) },
          control: { potentialMRR: 0, opportunities: 0 },
        },
        potentialMRRDefinition: expect.stringContaining('both arms'),
      },
    });
    // No holdout in the specification's rule set: everything open is treated.
    expect((expansion.byArm as { treatment: unknown }).treatment).toEqual({
      potentialMRR: expansion.potentialMRR,
      opportunities: expansion.opportunities,
    });
    expect(expansion.potentialMRR).toBe((analysis.body.analysis as Record<string, unknown>).potentialMRR);
    expect((expansion.topOpportunity as Record<string, unknown>).status).toBe('open');
  });

  it('GET /actions/:id lists the triggered actions newest first, and 404s an unknown or foreign opportunity', async () => {
    const opportunities = (await get('/api/revenue/opportunities?type=upsell', minPosition())).body.opportunities as Array<{ id: string }>;
    const reply = await get(`/api/revenue/actions/${opportunities[0]!.id}`, minPosition());
    expect(reply.status).toBe(200);
    const actions = reply.body.actions as Array<Record<string, unknown>>;
    expect(actions).toEqual([
      expect.objectContaining({
        opportunityId: opportunities[0]!.id,
        orgId,
        actionType: 'offer_upgrade',
        status: 'proposed',
        result: 'pending',
      }),
    ]);
    const unknown = await get(`/api/revenue/actions/${randomUUID()}`);
    expect([unknown.status, unknown.body.type]).toEqual([404, '/problems/opportunity-not-found']);
    const foreign = await get(`/api/revenue/actions/${opportunities[0]!.id}`, {}, listOrg);
    expect(foreign.body).toMatchObject({ status: 404, type: '/problems/opportunity-not-found' });
    expect((await get('/api/revenue/actions/not-a-uuid')).body).toMatchObject({ status: 400, errors: [{ pointer: '#/opportunityId' }] });
  });

  it('filters by type, status and minConfidence and walks every page exactly once', async () => {
    const confidences = Array.from({ length: 23 }, (_, i) => [0.2, 0.5, 0.5, 0.5, 0.7, 0.95][i % 6]!);
    const types = ['cross_sell', 'feature_expansion', 'credit_marketplace_offer'];
    await api.db.pool.query(sql.unsafe`
      INSERT INTO revenue_opportunities (org_id, type, source, confidence, status)
      SELECT ${listOrg}, t.type, 'test', t.confidence, CASE WHEN t.n % 5 = 0 THEN 'expired' ELSE 'lost' END
      FROM ${sql.unnest(
        confidences.map((c, i) => [types[i % 3]!, c, i]),
        ['text', 'numeric', 'int4'],
      )} AS t(type, confidence, n)`);
    const expected = (await api.db.pool.anyFirst(sql.unsafe`
      SELECT id FROM revenue_opportunities WHERE org_id = ${listOrg} AND status = 'lost' AND confidence >= 0.5
      ORDER BY confidence DESC, id DESC`)) as string[];
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/api/revenue/opportunities?status=lost&minConfidence=0.5&limit=4${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await get(query, {}, listOrg);
      expect(page.status).toBe(200);
      const rows = page.body.opportunities as Array<{ id: string; status: string; confidence: number }>;
      expect(rows.length).toBeLessThanOrEqual(4);
      expect(rows.every((r) => r.status === 'lost' && r.confidence >= 0.5)).toBe(true);
      seen.push(...rows.map((r) => r.id));
      cursor = page.body.nextCursor as string | null;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 4));

    const crossSell = (await get('/api/revenue/opportunities?type=cross_sell&limit=200', {}, listOrg)).body.opportunities as Array<{
      type: string;
    }>;
    expect(crossSell.length).toBe(8);
    expect(new Set(crossSell.map((o) => o.type))).toEqual(new Set(['cross_sell']));
  });

  it.each([
    ['limit=0', '#/limit'],
    ['limit=201', '#/limit'],
    ['limit=abc', '#/limit'],
    // Number() would read these as 16, 5, 100, 3 and 0: only plain decimal digits are numbers here.
    ['limit=0x10', '#/limit'],
    ['limit=%205', '#/limit'],
    ['limit=1e2', '#/limit'],
    ['limit=%2B3', '#/limit'],
    ['limit=', '#/limit'],
    ['minConfidence=0x1', '#/minConfidence'],
    ['minConfidence=2', '#/minConfidence'],
    ['type=bogus', '#/type'],
    ['status=closed', '#/status'],
    ['cursor=%2B%2B', '#/cursor'],
    ['unknown=1', '#/unknown'],
  ])('refuses ?%s with a 400 naming %s', async (query, pointer) => {
    const reply = await get(`/api/revenue/opportunities?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.contentType).toContain('application/problem+json');
    expect((reply.body.errors as Array<{ pointer: string }>).map((e) => e.pointer)).toContain(pointer);
  });

  it('refuses a malformed X-Min-Position with 400 on every GET', async () => {
    for (const path of ['/api/revenue/opportunities', '/api/revenue/expansion', `/api/revenue/actions/${randomUUID()}`]) {
      const reply = await get(path, { 'x-min-position': '12' });
      expect([path, reply.status, reply.body.type]).toEqual([path, 400, '/problems/invalid-min-position']);
    }
  });

  it('documents every endpoint in the OpenAPI document', async () => {
    const paths = Object.keys((await call(api, '/api/docs-json')).body.paths as object);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/revenue/opportunities',
        '/api/revenue/analyze',
        '/api/revenue/expansion',
        '/api/revenue/actions/{opportunityId}',
        '/api/revenue/audit/events',
        '/api/revenue/audit/opportunities/{opportunityId}/events',
        '/api/revenue/audit/opportunities/{opportunityId}/state',
      ]),
    );
  });

  it('replays an analysis retried with the same Idempotency-Key, and refuses the key for another org', async () => {
    const key = randomUUID();
    const first = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId: listOrg, headers: { 'idempotency-key': key } });
    const retry = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId: listOrg, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(200);
    expect([retry.status, retry.body, retry.headers.get('etag'), retry.headers.get('idempotent-replayed')]).toEqual([
      200,
      first.body,
      first.headers.get('etag'),
      'true',
    ]);
    const otherOrg = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId, headers: { 'idempotency-key': key } });
    expect([otherOrg.status, otherOrg.body.type]).toEqual([422, '/problems/idempotency-key-reused']);
  });

  it('runs with a current If-Match and answers 412 when it names another revision', async () => {
    const etag = analysis.headers.get('etag')!;
    const current = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId, headers: { 'if-match': etag } });
    expect(current.status).toBe(200);
    const wrong = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId, headers: { 'if-match': '"999"' } });
    expect([wrong.status, wrong.body.type]).toEqual([412, '/problems/precondition-failed']);
    expect((await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId, headers: { 'if-match': 'nope' } })).status).toBe(400);
  });
});

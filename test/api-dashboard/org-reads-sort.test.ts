import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { call } from '../api-platform/harness.js';
import { serviceToken, userToken } from '../support/tokens.js';
import { addMember, type RevenueApi, startRevenueApi } from '../api-revenue/support/revenue-api.js';

const SORTS = ['confidence', 'newest', 'oldest'] as const;
type Sort = (typeof SORTS)[number];
const ROWS = 41;

/** What each sort means, as PostgreSQL orders the rows itself. */
const ORDER = {
  confidence: sql.fragment`confidence DESC, id DESC`,
  newest: sql.fragment`created_at DESC, id DESC`,
  oldest: sql.fragment`created_at ASC, id ASC`,
};

/** GET /api/revenue/opportunities?sort=...: keyset pages in three orders, over real HTTP and PostgreSQL. */
describe('GET /api/revenue/opportunities sort', () => {
  let api: RevenueApi;
  let orgId: string;
  let token: string;

  beforeAll(async () => {
    api = await startRevenueApi();
    // Rows written straight into the read model must come after the runner's first start: rows it
    // finds there before its checkpoint exists make it rebuild the tables from the log (dropping them).
    const deadline = Date.now() + 20_000;
    while (!(await api.db.pool.maybeOne(sql.unsafe`SELECT 1 FROM projection_checkpoints WHERE name = 'revenue-read-model'`))) {
      if (Date.now() > deadline) throw new Error('revenue-read-model did not start');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    orgId = randomUUID();
    const owner = randomUUID();
    await api.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'sorted')`);
    await addMember(api.db, owner, orgId, 'owner');
    token = await userToken(owner);
    // Ties on purpose: every confidence and every creation time is shared by several rows (ids break
    // them), and times differ by microseconds only, which a millisecond cursor would lose.
    const types = ['upsell', 'cross_sell', 'feature_expansion', 'retention_intervention', 'credit_marketplace_offer'];
    const rows = Array.from({ length: ROWS }, (_, i) => [
      types[i % 5]!,
      [0.7, 0.85, 0.9][i % 3]!,
      `2026-10-${String(10 + (i % 4)).padStart(2, '0')}T08:00:00.00000${i % 7}Z`,
      i < 5 ? 'open' : 'lost', // one open per type at most (the read model's unique index)
    ]);
    await api.db.pool.query(sql.unsafe`
      INSERT INTO revenue_opportunities (org_id, type, source, confidence, created_at, status)
      SELECT ${orgId}, type, 'test', confidence, created_at, status
      FROM ${sql.unnest(rows, ['text', 'numeric', 'timestamptz', 'text'])} AS t(type, confidence, created_at, status)`);
    // Another org's rows interleave in time: never served.
    const other = randomUUID();
    await api.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${other}, 'other')`);
    await api.db.pool.query(sql.unsafe`
      INSERT INTO revenue_opportunities (org_id, type, source, confidence, created_at, status)
      SELECT ${other}, 'upsell', 'test', 0.8, '2026-10-11T08:00:00.000003Z', 'lost' FROM generate_series(1, 5)`);
  });
  afterAll(async () => api?.close());

  async function expected(sort: Sort, where = sql.fragment`TRUE`): Promise<string[]> {
    return (await api.db.pool.anyFirst(
      sql.unsafe`SELECT id FROM revenue_opportunities WHERE org_id = ${orgId} AND ${where} ORDER BY ${ORDER[sort]}`,
    )) as string[];
  }

  async function walk(query: string, as = token): Promise<{ ids: string[]; pages: number[] }> {
    const ids: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const reply = await call(api, `/api/revenue/opportunities?${query}${cursor ? `&cursor=${cursor}` : ''}`, { token: as, orgId });
      expect([query, reply.status]).toEqual([query, 200]);
      const page = reply.body.opportunities as Array<{ id: string }>;
      ids.push(...page.map((o) => o.id));
      pages.push(page.length);
      cursor = reply.body.nextCursor as string | null;
    } while (cursor && pages.length <= ROWS + 1);
    return { ids, pages };
  }

  it.each(SORTS.flatMap((sort) => [1, 4, 7, 41, 200].map((limit) => [sort, limit] as const)))(
    'sort=%s, limit=%i: the pages together are the whole list in that order, each row once',
    async (sort, limit) => {
      const { ids, pages } = await walk(`sort=${sort}&limit=${limit}`);
      expect(ids).toEqual(await expected(sort));
      expect(new Set(ids).size).toBe(ROWS);
      expect(pages).toEqual([...Array(Math.floor(ROWS / limit)).fill(limit), ...(ROWS % limit ? [ROWS % limit] : [])]);
    },
  );

  it('no sort is the confidence order, and its cursors are those of sort=confidence', async () => {
    const plain = await walk('limit=6');
    expect(plain.ids).toEqual(await expected('confidence'));
    const first = await call(api, '/api/revenue/opportunities?limit=6', { token, orgId });
    const next = await call(api, `/api/revenue/opportunities?limit=6&sort=confidence&cursor=${first.body.nextCursor as string}`, {
      token,
      orgId,
    });
    expect((next.body.opportunities as Array<{ id: string }>).map((o) => o.id)).toEqual((await expected('confidence')).slice(6, 12));
  });

  it.each(SORTS)('sort=%s with filters: type, status and minConfidence narrow the same order', async (sort) => {
    const { ids } = await walk(`sort=${sort}&limit=3&status=lost&minConfidence=0.85`);
    expect(ids).toEqual(await expected(sort, sql.fragment`status = 'lost' AND confidence >= 0.85`));
    const byType = await walk(`sort=${sort}&limit=2&type=cross_sell`);
    expect(byType.ids).toEqual(await expected(sort, sql.fragment`type = 'cross_sell'`));
  });

  it('a service token with maos:read pages the same way', async () => {
    const reader = await serviceToken('maos:read');
    for (const sort of SORTS) expect((await walk(`sort=${sort}&limit=5`, reader)).ids).toEqual(await expected(sort));
  });

  it.each(SORTS.flatMap((from) => SORTS.filter((to) => to !== from).map((to) => [from, to] as const)))(
    'a sort=%s cursor sent with sort=%s is a 400 problem naming the cursor',
    async (from, to) => {
      const first = await call(api, `/api/revenue/opportunities?sort=${from}&limit=3`, { token, orgId });
      const cursor = first.body.nextCursor as string;
      expect(cursor).toEqual(expect.any(String));
      const reply = await call(api, `/api/revenue/opportunities?sort=${to}&limit=3&cursor=${cursor}`, { token, orgId });
      expect([reply.status, reply.contentType, reply.body.type]).toEqual([
        400,
        expect.stringContaining('application/problem+json'),
        '/problems/validation-failed',
      ]);
      expect(reply.body.errors).toEqual([{ pointer: '#/cursor', detail: expect.stringContaining(`sort=${from}`) }]);
    },
  );

  it.each(['random', 'NEWEST', '', 'confidence,newest'])('sort=%s is a 400 naming sort', async (sort) => {
    const reply = await call(api, `/api/revenue/opportunities?sort=${encodeURIComponent(sort)}`, { token, orgId });
    expect(reply.status).toBe(400);
    expect((reply.body.errors as Array<{ pointer: string }>).map((e) => e.pointer)).toContain('#/sort');
  });

  it('documents sort in the OpenAPI document', async () => {
    const doc = (await call(api, '/api/docs-json')).body as {
      paths: Record<string, { get: { parameters: Array<{ name: string; schema?: { enum?: string[] } }> } }>;
    };
    const sort = doc.paths['/api/revenue/opportunities']!.get.parameters.find((p) => p.name === 'sort');
    expect(sort?.schema?.enum).toEqual([...SORTS]);
  });
});

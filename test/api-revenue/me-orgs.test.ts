import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { call } from '../api-platform/harness.js';
import { serviceToken, userToken } from '../support/tokens.js';
import { type RevenueApi, startRevenueApi } from './support/revenue-api.js';

const ROLES = ['owner', 'admin', 'member'] as const;
const MEMBERSHIPS = 250;

interface Item {
  readonly orgId: string;
  readonly name: string;
  readonly role: (typeof ROLES)[number];
  readonly canReadRevenue: boolean;
}

/** GET /api/me/orgs over real HTTP and PostgreSQL: cursor pagination, names, and the readable flag. */
describe('GET /api/me/orgs', () => {
  let api: RevenueApi;
  const user = randomUUID();
  const neighbour = randomUUID();
  let token: string;
  /** The user's memberships as seeded: org id -> name and role. */
  const seeded = new Map<string, { name: string; role: (typeof ROLES)[number] }>();

  beforeAll(async () => {
    api = await startRevenueApi();
    token = await userToken(user);
    const rows = Array.from({ length: MEMBERSHIPS }, (_, i) => [randomUUID(), `org ${i} "${'é'.repeat(i % 3)}"`, ROLES[i % 3]!] as const);
    for (const [orgId, name, role] of rows) seeded.set(orgId, { name, role });
    await api.db.pool.query(sql.unsafe`
      INSERT INTO organizations (id, name) SELECT id, name FROM ${sql.unnest(
        rows.map(([id, name]) => [id, name]),
        ['uuid', 'text'],
      )} AS t(id, name)`);
    await api.db.pool.query(sql.unsafe`
      INSERT INTO user_organizations (user_id, org_id, role) SELECT ${user}, id, role FROM ${sql.unnest(
        rows.map(([id, , role]) => [id, role]),
        ['uuid', 'text'],
      )} AS t(id, role)`);
    // Another user in half of the same orgs (and one of their own): never listed for `user`.
    await api.db.pool.query(sql.unsafe`
      INSERT INTO user_organizations (user_id, org_id, role)
      SELECT ${neighbour}, org_id, 'owner' FROM user_organizations WHERE user_id = ${user} ORDER BY org_id LIMIT ${MEMBERSHIPS / 2}`);
  });
  afterAll(async () => api?.close());

  /** Every page from the first, following nextCursor. */
  async function allPages(limit?: number): Promise<Array<{ items: Item[]; orgs: unknown[]; nextCursor: string | null }>> {
    const pages = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams();
      if (limit !== undefined) params.set('limit', String(limit));
      if (cursor) params.set('cursor', cursor);
      const reply = await call(api, `/api/me/orgs?${params.toString()}`, { token });
      expect(reply.status).toBe(200);
      const page = reply.body as { items: Item[]; orgs: unknown[]; nextCursor: string | null };
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor && pages.length <= MEMBERSHIPS);
    return pages;
  }

  it.each([1, 7, 100, 249, 250, 500])('limit=%i: the pages cover every membership exactly once, in org id order', async (limit) => {
    const pages = await allPages(limit);
    expect(pages).toHaveLength(Math.ceil(MEMBERSHIPS / limit));
    expect(pages.slice(0, -1).every((p) => p.items.length === limit && p.nextCursor !== null)).toBe(true);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    const ids = pages.flatMap((p) => p.items.map((i) => i.orgId));
    expect(ids).toEqual([...seeded.keys()].sort());
    // The earlier shape stays on every page: the same memberships as `items`, id and role only.
    for (const page of pages) expect(page.orgs).toEqual(page.items.map(({ orgId, role }) => ({ orgId, role })));
  });

  it('the default page is 100, and the same request gives the same page (stable order)', async () => {
    const [first, again] = [await allPages(), await allPages()];
    expect(first.map((p) => p.items.length)).toEqual([100, 100, 50]);
    expect(again).toEqual(first);
  });

  it("each item carries the org's name, the caller's role and whether the caller may read its revenue", async () => {
    const items = (await allPages(MEMBERSHIPS)).flatMap((p) => p.items);
    for (const item of items) {
      const { name, role } = seeded.get(item.orgId)!;
      expect(item).toEqual({ orgId: item.orgId, name, role, canReadRevenue: role !== 'member' });
    }
    expect(new Set(items.map((i) => i.role))).toEqual(new Set(ROLES));
  });

  it('the readable flag is what the revenue API answers: owner and admin read, member gets 404', async () => {
    const items = (await allPages(MEMBERSHIPS)).flatMap((p) => p.items);
    for (const role of ROLES) {
      const sample = items.filter((i) => i.role === role).slice(0, 2);
      for (const item of sample) {
        const reply = await call(api, '/api/revenue/expansion', { token, orgId: item.orgId });
        expect([role, item.canReadRevenue, reply.status]).toEqual([role, role !== 'member', item.canReadRevenue ? 200 : 404]);
      }
    }
  });

  it('lists only the caller’s memberships: another user, and a user with none', async () => {
    const theirs = await call(api, `/api/me/orgs?limit=500`, { token: await userToken(neighbour) });
    expect((theirs.body.items as Item[]).map((i) => i.orgId)).toEqual([...seeded.keys()].sort().slice(0, MEMBERSHIPS / 2));
    const nobody = await call(api, '/api/me/orgs', { token: await userToken(randomUUID()) });
    expect([nobody.status, nobody.body]).toEqual([200, { items: [], orgs: [], nextCursor: null }]);
  });

  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  it.each([
    ['not base64url', 'not a cursor!'],
    ['base64url of no JSON', Buffer.from('{{{').toString('base64url')],
    ['another shape', encode({ afterOrgId: randomUUID() })],
    ['another tag', encode(['opp', randomUUID()])],
    ['not a uuid', encode(['org', 'x'])],
    ['an opportunities cursor', encode([0.5, randomUUID()])],
    ['too long', 'A'.repeat(201)],
    ['empty', ''],
  ])('a bad cursor (%s) is a 400 problem naming cursor', async (_name, cursor) => {
    const reply = await call(api, `/api/me/orgs?cursor=${encodeURIComponent(cursor)}`, { token });
    expect([reply.status, reply.contentType]).toEqual([400, expect.stringContaining('application/problem+json')]);
    expect(reply.body).toMatchObject({ status: 400, type: '/problems/validation-failed' });
    expect((reply.body.errors as Array<{ pointer: string }>).map((e) => e.pointer)).toEqual(expect.arrayContaining(['#/cursor']));
  });

  it.each(['0', '501', '-1', '1.5', '0x10', '%205', '1e2', 'abc', '', '10&limit=20'])(
    'a bad limit (%s) is a 400 problem naming limit',
    async (limit) => {
      const reply = await call(api, `/api/me/orgs?limit=${limit}`, { token });
      expect([reply.status, reply.contentType]).toEqual([400, expect.stringContaining('application/problem+json')]);
      expect(reply.body).toMatchObject({ status: 400, type: '/problems/validation-failed' });
      expect((reply.body.errors as Array<{ pointer: string }>).every((e) => e.pointer === '#/limit')).toBe(true);
    },
  );

  it('is for users: no token 401, a service token 403', async () => {
    expect((await call(api, '/api/me/orgs')).status).toBe(401);
    expect((await call(api, '/api/me/orgs', { token: await serviceToken('maos:read') })).status).toBe(403);
  });

  it('documents the page, its parameters and its error answers in the OpenAPI document', async () => {
    const doc = (await call(api, '/api/docs-json')).body as {
      paths: Record<string, { get: { parameters: Array<{ name: string }>; responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const get = doc.paths['/api/me/orgs']!.get;
    expect(get.parameters.map((p) => p.name).sort()).toEqual(['cursor', 'limit', 'search']);
    expect(Object.keys(get.responses).sort()).toEqual(['200', '400', '401', '403', '429']);
    expect(Object.keys(doc.components.schemas.MyOrgItem!.properties).sort()).toEqual(['canReadRevenue', 'name', 'orgId', 'role']);
    expect(Object.keys(doc.components.schemas.MyOrgsPage!.properties).sort()).toEqual(['items', 'nextCursor', 'orgs']);
  });
});

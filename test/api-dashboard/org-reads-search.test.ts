import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { call } from '../api-platform/harness.js';
import { serviceToken, userToken } from '../support/tokens.js';
import { addMember, type RevenueApi, seedGrowingOrg, startRevenueApi } from '../api-revenue/support/revenue-api.js';

/** Names that trip LIKE (% _ \), case, accents, and plain ones; several share a name (ids break the tie). */
const NAMES = [
  'Acme 100% Ltd',
  'Acme 1000 Ltd',
  'snake_case Corp',
  'snakeXcase Corp',
  'Back\\slash Inc',
  'Backslash Inc',
  'ÉCOLE Supérieure',
  'école du soir',
  'Zeta',
  'Zeta',
  'zeta',
  'alpha',
  'Alpha',
  'beta',
];

interface Item {
  readonly orgId: string;
  readonly name: string;
}

/**
 * The org pickers' search over real HTTP and PostgreSQL: GET /api/me/orgs?search (the caller's
 * memberships) and GET /api/maos/orgs (every org, name order, for maos:read), and the org names
 * MAOS's approval queue now carries.
 */
describe.each(['fastify', 'express'] as const)('org search (%s): GET /api/me/orgs?search and GET /api/maos/orgs', (adapter) => {
  let api: RevenueApi;
  let user: string;
  let maos: string;
  /** The user's orgs (all of NAMES, one membership each, alternating roles). */
  const mine = new Map<string, string>();

  beforeAll(async () => {
    api = await startRevenueApi({ adapter });
    const userId = randomUUID();
    user = await userToken(userId);
    maos = await serviceToken('maos:read');
    const rows = NAMES.map((name, i) => [randomUUID(), name, (['owner', 'admin', 'member'] as const)[i % 3]!] as const);
    for (const [id, name] of rows) mine.set(id, name);
    await api.db.pool.query(sql.unsafe`
      INSERT INTO organizations (id, name) SELECT id, name FROM ${sql.unnest(
        rows.map(([id, name]) => [id, name]),
        ['uuid', 'text'],
      )} AS t(id, name)`);
    for (const [id, , role] of rows) await addMember(api.db, userId, id, role);
    // Orgs the user is not in, with matching names: only MAOS lists them.
    for (const name of ['Acme 100% Other', 'zeta foreign']) {
      await api.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${randomUUID()}, ${name})`);
    }
  });
  afterAll(async () => api?.close());

  /** Every page of a listing, following nextCursor. */
  async function walk(path: string, token: string, limit: number): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const reply = await call(api, `${path}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect([path, reply.status]).toEqual([path, 200]);
      items.push(...(reply.body.items as Item[]));
      cursor = reply.body.nextCursor as string | null;
      pages++;
    } while (cursor && pages < 100);
    return items;
  }

  /** What a case-insensitive, literal substring match selects (PostgreSQL's lower(), for accents too). */
  async function expectedAll(search: string): Promise<Item[]> {
    return (await api.db.pool.any(sql.unsafe`
      SELECT id AS "orgId", name FROM organizations WHERE strpos(lower(name), lower(${search})) > 0 ORDER BY name, id`)) as Item[];
  }

  it.each([
    ['%', ['Acme 100% Ltd']],
    ['0%', ['Acme 100% Ltd']],
    ['_', ['snake_case Corp']],
    ['e_c', ['snake_case Corp']],
    ['\\', ['Back\\slash Inc']],
    ['ACME', ['Acme 100% Ltd', 'Acme 1000 Ltd']],
    ['zEtA', ['Zeta', 'Zeta', 'zeta']],
    ['école', ['ÉCOLE Supérieure', 'école du soir']],
    ['nothing like it', []],
  ])('me/orgs search=%j matches literally and case-insensitively', async (search, names) => {
    const items = await walk(`/api/me/orgs?search=${encodeURIComponent(search)}`, user, 1);
    expect(items.map((i) => i.name).sort()).toEqual([...names].sort());
    // Still the caller's orgs only, in org id order, each with its own name.
    expect(items.map((i) => i.orgId)).toEqual([...items.map((i) => i.orgId)].sort());
    for (const item of items) expect(mine.get(item.orgId)).toBe(item.name);
  });

  it('me/orgs: an empty search is no filter, and pages with a search cover the matches exactly once', async () => {
    expect((await walk('/api/me/orgs?search=', user, 5)).length).toBe(NAMES.length);
    const a = await walk('/api/me/orgs?search=a', user, 2);
    expect(a.map((i) => i.orgId).sort()).toEqual(
      [...mine]
        .filter(([, name]) => name.toLowerCase().includes('a'))
        .map(([id]) => id)
        .sort(),
    );
    expect(new Set(a.map((i) => i.orgId)).size).toBe(a.length);
  });

  it.each(['%', '_', 'zeta', 'ACME', 'e', ''])('maos/orgs search=%j: every matching org, by name then id, in pages', async (search) => {
    const expected = await expectedAll(search);
    for (const limit of [1, 3, 500]) {
      const items = await walk(`/api/maos/orgs?search=${encodeURIComponent(search)}`, maos, limit);
      expect(items).toEqual(expected);
    }
    if (search === 'zeta') expect(expected.map((i) => i.name)).toEqual(expect.arrayContaining(['zeta foreign', 'Zeta', 'zeta']));
  });

  it('maos/orgs without a search lists every org exactly once, duplicate names included', async () => {
    const items = await walk('/api/maos/orgs', maos, 4);
    expect(items).toEqual(await expectedAll(''));
    expect(items.filter((i) => i.name === 'Zeta')).toHaveLength(2);
  });

  const HOSTILE = [
    ['a NUL', '%00'],
    ['a NUL inside', 'ab%00cd'],
    ['101 characters', 'x'.repeat(101)],
    ['two values', 'a&search=b'],
  ] as const;
  it.each(HOSTILE)('search with %s is a 400 problem naming search, on both routes', async (_what, raw) => {
    for (const [path, token] of [
      ['/api/me/orgs', user],
      ['/api/maos/orgs', maos],
    ] as const) {
      const reply = await call(api, `${path}?search=${raw}`, { token });
      expect([path, reply.status, reply.contentType, reply.body.type]).toEqual([
        path,
        400,
        expect.stringContaining('application/problem+json'),
        '/problems/validation-failed',
      ]);
      expect((reply.body.errors as Array<{ pointer: string }>).map((e) => e.pointer)).toContain('#/search');
    }
  });

  it.each(['%ED%A0%80', '%ED%B0%80x', '%F0%9F%98', '%C0%AF', '%FF', '%zz'])(
    'search=%s (no UTF-8 text once decoded) is a 400, or searched for as the literal text (nothing matches); never a 5xx',
    async (raw) => {
      for (const [path, token] of [
        ['/api/me/orgs', user],
        ['/api/maos/orgs', maos],
      ] as const) {
        const reply = await call(api, `${path}?search=${raw}`, { token });
        expect([path, raw, reply.status === 400 || reply.status === 200]).toEqual([path, raw, true]);
        if (reply.status === 200) expect(reply.body.items).toEqual([]);
      }
    },
  );

  it('100 characters is still a search', async () => {
    expect((await call(api, `/api/me/orgs?search=${'x'.repeat(100)}`, { token: user })).status).toBe(200);
    expect((await call(api, `/api/maos/orgs?search=${'x'.repeat(100)}`, { token: maos })).status).toBe(200);
  });

  it.each([
    ['not base64url', 'not a cursor!'],
    ['another shape', Buffer.from(JSON.stringify(['org', randomUUID()])).toString('base64url')],
    ['a NUL in the name', Buffer.from(JSON.stringify(['orgs', 'a\u0000b', randomUUID()])).toString('base64url')],
    ['a lone surrogate in the name', Buffer.from('["orgs","\\ud800",' + JSON.stringify(randomUUID()) + ']').toString('base64url')],
  ])('maos/orgs: a bad cursor (%s) is a 400 naming cursor', async (_what, cursor) => {
    const reply = await call(api, `/api/maos/orgs?cursor=${encodeURIComponent(cursor)}`, { token: maos });
    expect([reply.status, reply.body.type]).toEqual([400, '/problems/validation-failed']);
    expect((reply.body.errors as Array<{ pointer: string }>).map((e) => e.pointer)).toContain('#/cursor');
  });

  it('maos/orgs is for maos:read service tokens only', async () => {
    expect((await call(api, '/api/maos/orgs', { token: user })).status).toBe(403);
    expect((await call(api, '/api/maos/orgs', { token: await serviceToken('maos:approve') })).status).toBe(403);
    expect((await call(api, '/api/maos/orgs')).status).toBe(401);
  });

  it("the approval queue names each action's org", async () => {
    const orgId = await seedGrowingOrg(api.db, randomUUID(), 'Queue 100% Org');
    const owner = randomUUID();
    await addMember(api.db, owner, orgId, 'owner');
    const ownerToken = await userToken(owner);
    const analysis = await call(api, '/api/revenue/analyze', { method: 'POST', token: ownerToken, orgId });
    const position = analysis.headers.get('x-log-position')!;
    expect((await call(api, '/api/revenue/expansion', { token: ownerToken, orgId, headers: { 'x-min-position': position } })).status).toBe(
      200,
    );
    const queue = await call(api, '/api/maos/approvals?limit=200', { token: maos });
    const items = (queue.body.items as Array<{ orgId: string; orgName: string }>).filter((i) => i.orgId === orgId);
    expect(items.length).toBeGreaterThan(0);
    expect(new Set(items.map((i) => i.orgName))).toEqual(new Set(['Queue 100% Org']));
  });
});

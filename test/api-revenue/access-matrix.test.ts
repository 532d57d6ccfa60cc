import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { withRlsSession } from '#database';
import { call, stable } from '../api-platform/harness.js';
import { serviceToken, userToken } from '../support/tokens.js';
import { addMember, type RevenueApi, seedGrowingOrg, startRevenueApi } from './support/revenue-api.js';

const OPP = '0b8f5c3e-1111-4aaa-8bbb-0123456789ab';
/** `service`: the scope that admits a service token naming the org (none: users only). */
const ENDPOINTS: ReadonlyArray<{ method: string; path: string; service: 'audit:read' | 'maos:read' | null }> = [
  { method: 'GET', path: '/api/revenue/opportunities', service: 'maos:read' },
  { method: 'POST', path: '/api/revenue/analyze', service: null },
  { method: 'GET', path: '/api/revenue/expansion', service: 'maos:read' },
  { method: 'GET', path: `/api/revenue/actions/${OPP}`, service: 'maos:read' },
  { method: 'GET', path: '/api/revenue/summary', service: 'maos:read' },
  { method: 'GET', path: '/api/revenue/audit/events', service: 'audit:read' },
  { method: 'GET', path: `/api/revenue/audit/opportunities/${OPP}/events`, service: 'audit:read' },
  { method: 'GET', path: `/api/revenue/audit/opportunities/${OPP}/state`, service: 'audit:read' },
];
const ORG_READS = ENDPOINTS.filter((e) => e.service === 'maos:read');
/** Past the org check: 200, or the per-opportunity routes' 404 for the unknown OPP. */
const admitted = (reply: { status: number; body: Record<string, unknown> }) =>
  reply.status === 200 || reply.body.type === '/problems/opportunity-not-found';

/** Who may call what: every endpoint against every kind of caller, over real HTTP and PostgreSQL. */
describe('revenue API access matrix', () => {
  let api: RevenueApi;
  let orgA: string;
  let orgB: string;
  const [owner, admin, member, otherOwner] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    api = await startRevenueApi();
    [orgA, orgB] = [await seedGrowingOrg(api.db), await seedGrowingOrg(api.db)];
    await addMember(api.db, owner, orgA, 'owner');
    await addMember(api.db, admin, orgA, 'admin');
    await addMember(api.db, member, orgA, 'member');
    await addMember(api.db, otherOwner, orgB, 'owner');
    // Both orgs get opportunities and actions (and an OPP row in org A for the per-opportunity routes).
    for (const [user, org] of [
      [owner, orgA],
      [otherOwner, orgB],
    ] as const) {
      const analysis = await call(api, '/api/revenue/analyze', { method: 'POST', token: await userToken(user), orgId: org });
      const caughtUp = await call(api, '/api/revenue/expansion', {
        token: await userToken(user),
        orgId: org,
        headers: { 'x-min-position': analysis.headers.get('x-log-position')! },
      });
      expect([analysis.status, caughtUp.status]).toEqual([200, 200]);
    }
    Object.assign(tokens, {
      owner: await userToken(owner),
      admin: await userToken(admin),
      member: await userToken(member),
      otherOwner: await userToken(otherOwner),
      expired: await userToken(owner, { expiresIn: -30 }),
      forged: await userToken(owner, { secret: 'another-secret-that-is-long-enough-000' }),
      wrongAudience: await userToken(owner, { audience: 'anon' }),
      auditor: await serviceToken('audit:read'),
      maos: await serviceToken('maos:read maos:approve'),
      maosReader: await serviceToken('maos:read'),
      approverOnly: await serviceToken('maos:approve maos:dispatch audit:read'),
    });
  });
  afterAll(async () => api?.close());

  const send = (endpoint: (typeof ENDPOINTS)[number], token?: string) =>
    call(api, endpoint.path, { method: endpoint.method, orgId: orgA, ...(token ? { token } : {}) });

  it.each(ENDPOINTS)('$method $path: 401 without a valid token (none, expired, forged, wrong audience)', async (endpoint) => {
    for (const name of [undefined, 'expired', 'forged', 'wrongAudience']) {
      const reply = await send(endpoint, name && tokens[name]);
      expect([name, reply.status, reply.contentType]).toEqual([name, 401, expect.stringContaining('application/problem+json')]);
    }
  });

  it.each(ENDPOINTS)('$method $path: owner and admin pass; member and other org get the same 404', async (endpoint) => {
    for (const name of ['owner', 'admin']) {
      const reply = await send(endpoint, tokens[name]);
      // The per-opportunity routes 404 the unknown OPP, but as opportunity-not-found, past the org check.
      expect([name, reply.status === 200 || reply.body.type === '/problems/opportunity-not-found']).toEqual([name, true]);
    }
    const [asMember, asOutsider] = [await send(endpoint, tokens.member), await send(endpoint, tokens.otherOwner)];
    expect([asMember.status, asMember.body.type]).toEqual([404, '/problems/org-not-found']);
    expect(stable(asOutsider.body)).toEqual(stable(asMember.body));
  });

  it.each(ENDPOINTS)("$method $path: a service token passes only with the route's scope", async (endpoint) => {
    const replies = {
      auditor: await send(endpoint, tokens.auditor),
      maos: await send(endpoint, tokens.maos),
      maosReader: await send(endpoint, tokens.maosReader),
    };
    const passed = Object.entries(replies)
      .filter(([, reply]) => admitted(reply))
      .map(([name]) => name);
    const admits: Record<string, string[]> = { 'audit:read': ['auditor'], 'maos:read': ['maos', 'maosReader'], none: [] };
    const expected = admits[endpoint.service ?? 'none']!;
    expect(passed).toEqual(expected);
    for (const [name, reply] of Object.entries(replies)) {
      if (!expected.includes(name)) expect([name, reply.status, reply.body.type]).toEqual([name, 403, '/problems/forbidden']);
    }
  });

  it.each(ORG_READS)("$method $path: maos:read without X-Org-Id is 400, an unknown org the users' 404; no scope 403", async (endpoint) => {
    const withoutOrg = await call(api, endpoint.path, { token: tokens.maosReader });
    expect([withoutOrg.status, withoutOrg.body.type]).toEqual([400, '/problems/org-required']);
    const unknown = await call(api, endpoint.path, { token: tokens.maosReader, orgId: randomUUID() });
    const asMember = await send(endpoint, tokens.member);
    expect([unknown.status, unknown.body.type]).toEqual([404, '/problems/org-not-found']);
    expect(stable(unknown.body)).toEqual(stable(asMember.body));
    const malformed = await call(api, endpoint.path, { token: tokens.maosReader, headers: { 'x-org-id': 'nope' } });
    expect([malformed.status, malformed.body.type]).toEqual([400, '/problems/invalid-org-id']);
    const withoutScope = await send(endpoint, tokens.approverOnly);
    expect([withoutScope.status, withoutScope.body.type]).toEqual([403, '/problems/forbidden']);
  });

  it('a service reads each org exactly as its owner does: the same answers, and nothing of another org', async () => {
    for (const [org, user] of [
      [orgA, tokens.owner],
      [orgB, tokens.otherOwner],
    ] as const) {
      const opportunities = await call(api, '/api/revenue/opportunities?limit=200', { token: user, orgId: org });
      const ids = (opportunities.body.opportunities as Array<{ id: string }>).map((o) => o.id);
      expect(ids.length).toBeGreaterThan(0);
      const paths = [
        '/api/revenue/opportunities?limit=200',
        '/api/revenue/expansion',
        '/api/revenue/summary',
        ...ids.map((id) => `/api/revenue/actions/${id}`),
      ];
      for (const path of paths) {
        const [asOwner, asService] = [
          await call(api, path, { token: user, orgId: org }),
          await call(api, path, { token: tokens.maosReader, orgId: org }),
        ];
        expect([path, asService.status, asService.body]).toEqual([path, 200, asOwner.body]);
      }
      // The other org's opportunity under this org's id: not found, for the service as for the owner.
      const foreign = await call(api, `/api/revenue/actions/${ids[0]}`, { token: tokens.maosReader, orgId: org === orgA ? orgB : orgA });
      expect([foreign.status, foreign.body.type]).toEqual([404, '/problems/opportunity-not-found']);
    }
  });

  it('a service reads its own writes with X-Min-Position too, and a position beyond the log is 400', async () => {
    // A fresh org: its first analysis certainly writes, and the reads must include it.
    const orgC = await seedGrowingOrg(api.db);
    const ownerC = randomUUID();
    await addMember(api.db, ownerC, orgC, 'owner');
    const analysis = await call(api, '/api/revenue/analyze', { method: 'POST', token: await userToken(ownerC), orgId: orgC });
    const position = analysis.headers.get('x-log-position')!;
    expect([analysis.status, position]).toEqual([200, expect.stringMatching(/^\d+-\d+$/)]);
    const read = (path: string, minPosition: string) =>
      call(api, path, { token: tokens.maosReader, orgId: orgC, headers: { 'x-min-position': minPosition } });
    const opportunities = await read('/api/revenue/opportunities', position);
    expect((opportunities.body.opportunities as Array<{ type: string }>).map((o) => o.type)).toContain('upsell');
    const summary = await read('/api/revenue/summary', position);
    expect((summary.body.summary as { openByType: { upsell: number } }).openByType.upsell).toBe(1);
    for (const endpoint of ORG_READS) {
      const ahead = await read(endpoint.path, '99999999999-99999999999');
      expect([endpoint.path, ahead.status, ahead.body.type]).toEqual([endpoint.path, 400, '/problems/min-position-ahead']);
    }
  });

  it('GET /api/maos/orgs: service tokens with maos:read only', async () => {
    expect((await call(api, '/api/maos/orgs')).status).toBe(401);
    for (const name of ['owner', 'admin', 'member']) {
      const reply = await call(api, '/api/maos/orgs', { token: tokens[name] });
      expect([name, reply.status, reply.body.type]).toEqual([name, 403, '/problems/forbidden']);
    }
    for (const name of ['auditor', 'approverOnly'])
      expect([name, (await call(api, '/api/maos/orgs', { token: tokens[name] })).status]).toEqual([name, 403]);
    const listed = await call(api, '/api/maos/orgs?limit=500', { token: tokens.maosReader });
    expect(listed.status).toBe(200);
    expect((listed.body.items as Array<{ orgId: string }>).map((i) => i.orgId)).toEqual(expect.arrayContaining([orgA, orgB]));
  });

  it('PostgreSQL itself hides org B from a user of org A: 0 rows without any WHERE', async () => {
    const claims = { sub: owner, role: 'authenticated' as const };
    const seen = await withRlsSession(api.db.pool, claims, async (tx) => ({
      opportunities: await tx.anyFirst(sql.unsafe`SELECT DISTINCT org_id FROM revenue_opportunities`),
      actions: await tx.anyFirst(sql.unsafe`SELECT DISTINCT org_id FROM revenue_actions`),
      foreign: await tx.oneFirst(
        sql.unsafe`SELECT count(*)::int FROM revenue_opportunities o JOIN revenue_actions a ON a.opportunity_id = o.id WHERE o.org_id = ${orgB}`,
      ),
    }));
    expect(seen).toEqual({ opportunities: [orgA], actions: [orgA], foreign: 0 });
    // The owner's role still sees both: the rows exist, RLS is what hides them.
    expect(
      await api.db.pool.oneFirst(sql.unsafe`SELECT count(DISTINCT org_id)::int FROM revenue_actions WHERE org_id IN (${orgA}, ${orgB})`),
    ).toBe(2);
    const memberSees = await withRlsSession(api.db.pool, { sub: member, role: 'authenticated' }, (tx) =>
      tx.oneFirst(sql.unsafe`SELECT count(*)::int FROM revenue_opportunities`),
    );
    expect(memberSees).toBe(0);
  });
});

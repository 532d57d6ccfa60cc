import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { withRlsSession } from '#database';
import { call, stable } from '../api-platform/harness.js';
import { serviceToken, userToken } from '../support/tokens.js';
import { addMember, type RevenueApi, seedGrowingOrg, startRevenueApi } from './support/revenue-api.js';

const OPP = '0b8f5c3e-1111-4aaa-8bbb-0123456789ab';
const ENDPOINTS: ReadonlyArray<{ method: string; path: string; audit: boolean }> = [
  { method: 'GET', path: '/api/revenue/opportunities', audit: false },
  { method: 'POST', path: '/api/revenue/analyze', audit: false },
  { method: 'GET', path: '/api/revenue/expansion', audit: false },
  { method: 'GET', path: `/api/revenue/actions/${OPP}`, audit: false },
  { method: 'GET', path: '/api/revenue/audit/events', audit: true },
  { method: 'GET', path: `/api/revenue/audit/opportunities/${OPP}/events`, audit: true },
  { method: 'GET', path: `/api/revenue/audit/opportunities/${OPP}/state`, audit: true },
];

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

  it.each(ENDPOINTS)('$method $path: service tokens only with audit:read and only on audit routes', async (endpoint) => {
    const [auditor, maos] = [await send(endpoint, tokens.auditor), await send(endpoint, tokens.maos)];
    expect(maos.status).toBe(403);
    if (endpoint.audit) expect(auditor.status === 200 || auditor.body.type === '/problems/opportunity-not-found').toBe(true);
    else expect(auditor.status).toBe(403);
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

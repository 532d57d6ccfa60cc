import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { mintToken, serviceToken, userToken } from '../support/tokens.js';
import { call, type RunningApi, stable, startApi } from './harness.js';

/**
 * Who may do what, over real HTTP and PostgreSQL. Org-scoped reads admit owners and admins;
 * members, outsiders and unknown orgs all get the same 404 (existence is not revealed).
 */
describe('access matrix', () => {
  let db: TestDatabase;
  let api: RunningApi;
  const orgA = randomUUID();
  const orgB = randomUUID();
  const [owner, admin, member, otherOwner, multi] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgA}, 'a'), (${orgB}, 'b')`);
    await db.pool.query(sql.unsafe`
      INSERT INTO user_organizations (user_id, org_id, role) VALUES
        (${owner}, ${orgA}, 'owner'), (${admin}, ${orgA}, 'admin'), (${member}, ${orgA}, 'member'),
        (${otherOwner}, ${orgB}, 'owner'), (${multi}, ${orgA}, 'admin'), (${multi}, ${orgB}, 'member')`);
    await db.pool.query(sql.unsafe`
      INSERT INTO revenue_opportunities (org_id, type, source, confidence) VALUES
        (${orgA}, 'upsell', 'usage_analysis', 0.85), (${orgB}, 'upsell', 'usage_analysis', 0.9)`);
    api = await startApi(db);
    Object.assign(tokens, {
      owner: await userToken(owner),
      admin: await userToken(admin),
      member: await userToken(member),
      otherOwner: await userToken(otherOwner),
      multi: await userToken(multi),
      expired: await userToken(owner, { expiresIn: -30 }),
      forged: await userToken(owner, { secret: 'another-secret-that-is-long-enough-000' }),
      wrongAudience: await userToken(owner, { audience: 'anon' }),
      noExp: await userToken(owner, { expiresIn: null }),
      anon: await mintToken({ sub: owner, role: 'anon' }),
      approver: await serviceToken('maos:read maos:approve'),
      reader: await serviceToken('maos:read'),
    });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  const read = (token: string | undefined, orgId?: string) =>
    call(api, '/api/sample/opportunities', { ...(token ? { token } : {}), ...(orgId ? { orgId } : {}) });

  it('asks for a token, and says which part of a bad one is wrong', async () => {
    const none = await read(undefined, orgA);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body.type).toBe('/problems/missing-token');
    const cases: Array<[string, RegExp]> = [
      ['expired', /expired/],
      ['forged', /signature/],
      ['wrongAudience', /aud/],
      ['noExp', /exp/],
      ['anon', /anon/],
    ];
    for (const [name, reason] of cases) {
      const reply = await read(tokens[name], orgA);
      expect({ name, status: reply.status, type: reply.body.type }).toEqual({ name, status: 401, type: '/problems/invalid-token' });
      expect(reply.body.detail).toMatch(reason);
      expect(reply.headers.get('www-authenticate')).toContain('invalid_token');
    }
    expect((await call(api, '/api/sample/opportunities', { headers: { authorization: `Basic ${tokens.owner}` } })).status).toBe(401);
  });

  it('lets owners and admins read their org, and RLS shows them only its rows', async () => {
    for (const [name, role] of [
      ['owner', 'owner'],
      ['admin', 'admin'],
    ] as const) {
      const reply = await read(tokens[name], orgA);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ org: { orgId: orgA, role }, visibleOrgIds: [orgA] });
    }
  });

  it('answers a member, an outsider and an unknown org with the same 404', async () => {
    const answers = [await read(tokens.member, orgA), await read(tokens.otherOwner, orgA), await read(tokens.owner, randomUUID())];
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404]);
    expect(stable(answers[1]!.body)).toEqual(stable(answers[0]!.body));
    expect(stable(answers[2]!.body)).toEqual(stable(answers[0]!.body));
    expect(answers[0]!.body.type).toBe('/problems/org-not-found');
  });

  it("picks the user's only org without X-Org-Id, and asks to choose when there are several", async () => {
    expect((await read(tokens.otherOwner)).body).toEqual({ org: { orgId: orgB, role: 'owner' }, visibleOrgIds: [orgB] });
    expect((await read(tokens.member)).status).toBe(404);
    const several = await read(tokens.multi);
    expect(several.status).toBe(400);
    expect(several.body.type).toBe('/problems/org-required');
    expect((await read(tokens.multi, orgA)).body).toMatchObject({ org: { orgId: orgA, role: 'admin' } });
    expect((await read(tokens.multi, orgB)).status).toBe(404); // member there
    expect((await read(tokens.owner, 'not-a-uuid')).body).toMatchObject({ status: 400, type: '/problems/invalid-org-id' });
  });

  it('keeps service tokens off user routes and users off service routes', async () => {
    expect((await read(tokens.approver, orgA)).status).toBe(403);
    const approve = (token: string, orgId?: string) =>
      call(api, '/api/sample/approvals', { token, ...(orgId ? { orgId } : {}), body: { actionId: randomUUID() } });
    const ok = await approve(tokens.approver!, orgA);
    expect(ok.status).toBe(202);
    expect(ok.body.org).toEqual({ orgId: orgA, role: 'service' });
    const missingScope = await approve(tokens.reader!, orgA);
    expect(missingScope.status).toBe(403);
    expect(missingScope.body.detail).toMatch(/maos:approve/);
    expect((await approve(tokens.owner!, orgA)).status).toBe(403);
    expect((await approve(tokens.approver!)).body).toMatchObject({ status: 400, type: '/problems/org-required' });
    expect((await approve(tokens.approver!, randomUUID())).status).toBe(404);
  });

  it('lists the caller’s own memberships under RLS on GET /api/me/orgs', async () => {
    const reply = await call(api, '/api/me/orgs', { token: tokens.multi! });
    expect(reply.status).toBe(200);
    expect(reply.body.orgs).toEqual(
      expect.arrayContaining([
        { orgId: orgA, role: 'admin' },
        { orgId: orgB, role: 'member' },
      ]),
    );
    expect((reply.body.orgs as unknown[]).length).toBe(2);
    expect((await call(api, '/api/me/orgs', { token: tokens.approver! })).status).toBe(403);
  });
});

describe('rate limit per token', () => {
  let db: TestDatabase;
  let api: RunningApi;
  beforeAll(async () => {
    db = await createTestDatabase();
    // A pinned clock: the four requests cannot straddle a window boundary.
    api = await startApi(db, { env: { RATE_LIMIT: '3' }, clock: () => 1_800_000_000_000 + 15_000 });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('refuses the request past the limit with 429 and Retry-After, for that token subject only', async () => {
    const heavy = randomUUID();
    // Two tokens of the same user share the budget: the key is the subject, not the token string.
    const replies = [];
    for (const token of [await userToken(heavy), await userToken(heavy), await userToken(heavy), await userToken(heavy)]) {
      replies.push(await call(api, '/api/me/orgs', { token }));
    }
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(replies.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
    const limited = replies[3]!;
    expect(limited.body.type).toBe('/problems/rate-limited');
    expect(limited.headers.get('retry-after')).toBe('45');
    expect((await call(api, '/api/me/orgs', { token: await userToken() })).status).toBe(200);
    expect((await call(api, '/health/live')).status).toBe(200); // ops endpoints are not limited
  });
});

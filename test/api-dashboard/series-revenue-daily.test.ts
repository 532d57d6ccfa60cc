import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import type { TestDatabase } from '#database/testing';
import { ACTION_STATUSES, OPPORTUNITY_TYPES, revenueStreamName } from '#revenue';
import type { Runtime } from '#runtime';
import { call, type RunningApi } from '../api-platform/harness.js';
import { addMember, seedGrowingOrg } from '../api-revenue/support/revenue-api.js';
import { startFullApi, type FullApi } from '../support/full-api.js';
import { AS_OF, caughtUpWithCommitted } from '../support/revenue-stack.js';
import { serviceToken, userToken } from '../support/tokens.js';
import {
  DAY_MS,
  appendHistory,
  dayOf,
  foldSeries,
  generateHistory,
  zeroCounts,
  type ExpectedDay,
} from '../projections/support/revenue-history.js';

/** "Today" of the injected clock: the series ends with its UTC day (15 h after the usage seedGrowingOrg writes). */
const TODAY = new Date(AS_OF.getTime() + 15 * 3_600_000);
const dayBefore = (n: number) => dayOf(new Date(TODAY.getTime() - n * DAY_MS).toISOString());

/** The revenue-daily rows of the org, as text, in key order. */
async function dailyRows(db: TestDatabase, orgId: string): Promise<readonly unknown[]> {
  return db.pool.any(sql.unsafe`
    SELECT 'o' AS t, day::text, opportunity_type AS k, detected AS n, open_confidence_delta::text AS v FROM revenue_daily_opportunities WHERE org_id = ${orgId}
    UNION ALL
    SELECT 'a', day::text, status, entered, NULL FROM revenue_daily_actions WHERE org_id = ${orgId}
    UNION ALL
    SELECT 's', opportunity_id::text, opportunity_type, open::int, confidence::text FROM revenue_daily_opportunity_state WHERE org_id = ${orgId}
    ORDER BY 1, 2, 3`);
}

describe('GET /api/revenue/series: the revenue-daily projection over generated days', () => {
  let full: FullApi;
  let api: RunningApi;
  let runtime: Runtime;
  let db: TestDatabase;
  const orgId = randomUUID();
  const realOrg = randomUUID();
  const ownerId = randomUUID();
  let owner: string;

  const caughtUp = () => caughtUpWithCommitted(runtime);
  const stream = (org: string) => runtime.store.readStream(revenueStreamName(org));

  beforeAll(async () => {
    full = await startFullApi();
    ({ api, runtime, db } = full);
    full.clock.current = new Date(TODAY);
    await db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'series org')`);
    await addMember(db, ownerId, orgId, 'owner');
    owner = await userToken(ownerId);
    await appendHistory(runtime.store, orgId, generateHistory(orgId, { seed: 20261120, days: 40, today: TODAY }));
    // A second org analysed by the domain itself (real events), today.
    await seedGrowingOrg(db, realOrg);
    await addMember(db, ownerId, realOrg, 'owner');
    expect((await call(api, '/api/revenue/analyze', { method: 'POST', token: owner, orgId: realOrg })).status).toBe(200);
    await caughtUp();
  }, 300_000);
  afterAll(async () => full?.close());

  it('per day: detections by type, the funnel and end-of-day potential MRR equal a fold over the same events', async () => {
    const events = await stream(orgId);
    expect(events.length).toBeGreaterThan(100);
    const firstDays: number[] = [];
    for (const days of [...Array.from({ length: 45 }, (_, i) => i + 1), 366]) {
      const reply = await call(api, `/api/revenue/series?days=${days}`, { token: owner, orgId });
      expect(reply.status).toBe(200);
      const from = dayBefore(days - 1);
      expect(reply.body).toEqual({ success: true, from, to: dayBefore(0), days: foldSeries(events, from, dayBefore(0)) });
      expect((reply.body.days as unknown[]).length).toBe(days);
      firstDays.push((reply.body.days as ExpectedDay[])[0]!.potentialMRR);
    }
    // Windows starting after the first events: their first day carries the potential of the days before them.
    expect(firstDays.slice(0, 39).some((p) => p > 0)).toBe(true);
    const ten = (await call(api, '/api/revenue/series?days=10', { token: owner, orgId })).body.days as ExpectedDay[];
    // Quiet days are there, with zeros.
    const quiet = ten.find((d) => d.day === dayBefore(2))!;
    expect([quiet.detected, quiet.funnel]).toEqual([zeroCounts(OPPORTUNITY_TYPES), zeroCounts(ACTION_STATUSES)]);
    const defaulted = await call(api, '/api/revenue/series', { token: owner, orgId });
    expect([defaulted.body.from, (defaulted.body.days as unknown[]).length]).toEqual([dayBefore(29), 30]);
  });

  it("the last day's potential MRR is GET /api/revenue/expansion's (generated and real events)", async () => {
    for (const org of [orgId, realOrg]) {
      const series = await call(api, '/api/revenue/series?days=3', { token: owner, orgId: org });
      const expansion = await call(api, '/api/revenue/expansion', { token: owner, orgId: org });
      const last = (series.body.days as ExpectedDay[]).at(-1)!;
      expect(last.potentialMRR).toBe((expansion.body.expansion as { potentialMRR: number }).potentialMRR);
      expect(series.body.days).toEqual(foldSeries(await stream(org), dayBefore(2), dayBefore(0)));
    }
    const real = (await call(api, '/api/revenue/series?days=1', { token: owner, orgId: realOrg })).body.days as ExpectedDay[];
    expect(real[0]!.potentialMRR).toBeGreaterThan(0);
    expect(real[0]!.funnel.proposed).toBeGreaterThan(0);
  });

  it('a rebuild of revenue-daily gives the same rows and the same answer', async () => {
    const rowsBefore = await dailyRows(db, orgId);
    const before = await call(api, '/api/revenue/series?days=40', { token: owner, orgId });
    expect(rowsBefore.length).toBeGreaterThan(20);
    await runtime.runner.rebuild('revenue-daily', { timeoutMs: 60_000 });
    await caughtUp();
    expect(await dailyRows(db, orgId)).toEqual(rowsBefore);
    expect((await call(api, '/api/revenue/series?days=40', { token: owner, orgId })).body).toEqual(before.body);
  });

  it('is documented: days 1..366 (default 30), a count per type and per status', async () => {
    const docs = (await call(api, '/api/docs-json')).body as {
      paths: Record<string, { get?: { parameters?: Array<{ name: string; schema?: Record<string, unknown> }> } }>;
      components: { schemas: Record<string, { properties: Record<string, { properties?: Record<string, unknown> }> }> };
    };
    const days = docs.paths['/api/revenue/series']?.get?.parameters?.find((p) => p.name === 'days');
    expect(days?.schema).toMatchObject({ minimum: 1, maximum: 366, default: 30 });
    const day = docs.components.schemas['SeriesDayDto']!.properties;
    expect(Object.keys(day['detected']!.properties!)).toEqual([...OPPORTUNITY_TYPES]);
    expect(Object.keys(day['funnel']!.properties!)).toEqual([...ACTION_STATUSES]);
  });

  it('refuses days outside 1..366 and non-integers with 400', async () => {
    for (const days of ['0', '367', 'abc', '1.5', '-1', '', '0x10', '1e2']) {
      const reply = await call(api, `/api/revenue/series?days=${days}`, { token: owner, orgId });
      expect({ days, status: reply.status, type: reply.body.type }).toEqual({ days, status: 400, type: '/problems/validation-failed' });
    }
  });

  it('access: owners and admins; members, outsiders and other orgs get 404; no token 401; services with maos:read only', async () => {
    const memberId = randomUUID();
    const adminId = randomUUID();
    await addMember(db, memberId, orgId, 'member');
    await addMember(db, adminId, orgId, 'admin');
    const otherOrg = randomUUID();
    const outsiderId = randomUUID();
    await db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${otherOrg}, 'other org')`);
    await addMember(db, outsiderId, otherOrg, 'owner');
    const path = '/api/revenue/series?days=5';
    const expected = (await call(api, path, { token: owner, orgId })).body;
    const status = async (token: string | undefined, org: string | undefined) =>
      (await call(api, path, { ...(token ? { token } : {}), ...(org ? { orgId: org } : {}) })).status;
    expect(await status(undefined, orgId)).toBe(401);
    expect((await call(api, path, { token: await userToken(adminId), orgId })).body).toEqual(expected);
    expect(await status(await userToken(memberId), orgId)).toBe(404);
    expect(await status(await userToken(outsiderId), orgId)).toBe(404);
    expect(await status(await userToken(randomUUID()), orgId)).toBe(404);
    expect(await status(await serviceToken('maos:approve'), orgId)).toBe(403);
    expect(await status(await serviceToken('ops:read'), orgId)).toBe(403);
    // A service token with maos:read reads the org it names (and only an org that exists).
    expect((await call(api, path, { token: await serviceToken('maos:read'), orgId })).body).toEqual(expected);
    expect(await status(await serviceToken('maos:read'), randomUUID())).toBe(404);
    // RLS itself: an admin of the other org sees none of this org's rows, even without the API's org filter.
    const visible = await db.pool.transaction(async (tx) => {
      await tx.query(
        sql.unsafe`SELECT set_config('request.jwt.claims', ${JSON.stringify({ sub: outsiderId, role: 'authenticated' })}, true), set_config('role', 'authenticated', true)`,
      );
      return tx.oneFirst(sql.unsafe`
        SELECT (SELECT count(*) FROM revenue_daily_opportunities) + (SELECT count(*) FROM revenue_daily_actions)`);
    });
    expect(Number(visible)).toBe(0);
  });

  it("erasure removes the org's revenue-daily rows (and leaves other orgs' alone)", async () => {
    const otherRows = await dailyRows(db, realOrg);
    expect(otherRows.length).toBeGreaterThan(0);
    const erased = await call(api, `/api/maos/orgs/${orgId}`, {
      method: 'DELETE',
      token: await serviceToken('maos:erase'),
      headers: { 'idempotency-key': `erase-${orgId}` },
    });
    expect([erased.status, erased.body.erased]).toEqual([200, true]);
    expect(await dailyRows(db, orgId)).toEqual([]);
    expect(await dailyRows(db, realOrg)).toEqual(otherRows);
    const after = await call(api, '/api/revenue/series?days=3', { token: owner, orgId });
    expect((after.body.days as ExpectedDay[]).map((d) => d.potentialMRR)).toEqual([0, 0, 0]);
  });
});

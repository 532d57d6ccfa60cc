import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sql } from '#database';
import type { TestDatabase } from '#database/testing';
import type { AttributionView, EffectReport, ExpansionView, OpportunityView, PlayEffect } from '#read-models';
import { holdoutBucket, holdoutRuleSet, OPPORTUNITY_TYPES, type OpportunityType } from '#revenue';
import { observeOutcomes, seedDemoHistory, type Runtime } from '#runtime';
import { call, type Reply, type RunningApi } from '../api-platform/harness.js';
import { addMember, seedGrowingOrg } from '../api-revenue/support/revenue-api.js';
import { startFullApi, type FullApi } from '../support/full-api.js';
import { AS_OF, caughtUpWithCommitted } from '../support/revenue-stack.js';
import { serviceToken, userToken } from '../support/tokens.js';

const HISTORY_ORGS = 500;
const META = { actor: { kind: 'system' as const, id: 'analytics-test' }, correlationId: randomUUID() };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Page {
  items: AttributionView[];
  nextCursor: string | null;
}

function expectValidationProblem(reply: Reply, context: string): void {
  expect({ context, status: reply.status, contentType: reply.contentType, type: reply.body.type }).toEqual({
    context,
    status: 400,
    contentType: expect.stringContaining('application/problem+json'),
    type: '/problems/validation-failed',
  });
}

/**
 * The proof-of-effect reads over HTTP in the real app (holdout rules, a real runtime, projections
 * running): who may read them, the report's numbers against the read model's own tables, the
 * attribution pages walked end to end, refusals of bad parameters, and the expansion split by arm.
 */
describe('GET /api/analytics/effect and /api/analytics/attribution (scope analytics:read)', () => {
  let full: FullApi;
  let db: TestDatabase;
  let runtime: Runtime;
  let api: RunningApi;
  let analyst: string;

  const caughtUp = () => caughtUpWithCommitted(runtime);
  const get = (path: string, token = analyst) => call(api, path, { token });
  const walk = async (query: string, limit: number): Promise<Page[]> => {
    const pages: Page[] = [];
    for (let cursor: string | null = null; pages.length === 0 || cursor !== null;) {
      const reply = await get(`/api/analytics/attribution?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(reply.status).toBe(200);
      const page = reply.body as unknown as Page;
      pages.push(page);
      cursor = page.nextCursor;
      expect(pages.length).toBeLessThan(1_000);
    }
    return pages;
  };

  beforeAll(async () => {
    full = await startFullApi({ ruleSet: holdoutRuleSet });
    ({ db, runtime, api } = full);
    analyst = await serviceToken('analytics:read');
  }, 180_000);
  afterAll(async () => full?.close());

  it('admits only service tokens with analytics:read: 401 without a token, 403 problems otherwise', async () => {
    const others = [await userToken(), await serviceToken('ops:read maos:read maos:approve audit:read')];
    for (const path of ['/api/analytics/effect', '/api/analytics/attribution']) {
      for (const [what, token, status] of [
        ['no token', undefined, 401],
        ['not a jwt', 'not.a.jwt', 401],
        ['user token', others[0], 403],
        ['service token without analytics:read', others[1], 403],
      ] as const) {
        const reply = await call(api, path, token ? { token } : {});
        expect({ path, what, status: reply.status, contentType: reply.contentType, problemStatus: reply.body.status }).toEqual({
          path,
          what,
          status,
          contentType: expect.stringContaining('application/problem+json'),
          problemStatus: status,
        });
      }
    }
    expect((await get('/api/analytics/effect')).status).toBe(200);
  });

  it('on an empty database: no plays, overall not enough data, no attributions', async () => {
    const report = (await get('/api/analytics/effect')).body as unknown as EffectReport;
    expect(report.plays).toEqual([]);
    expect(report.overall).toMatchObject({
      play: 'overall',
      experimentId: null,
      enoughData: false,
      notEnoughDataReason: expect.stringMatching(/^not enough data: 0 treatment orgs and 0 control orgs observed/),
      lift: null,
      creditsSpent: 0,
      treatment: { orgs: 0, conversions: 0, conversionRate: null },
      control: { orgs: 0, conversions: 0, conversionRate: null },
    });
    expect((await get('/api/analytics/attribution')).body).toEqual({ items: [], nextCursor: null });
  });

  describe(`after a backdated history of ${HISTORY_ORGS} orgs, observed`, () => {
    beforeAll(async () => {
      const seeded = await seedDemoHistory(runtime.deps, AS_OF, { orgs: HISTORY_ORGS });
      expect(seeded.orgs).toBe(HISTORY_ORGS);
      await caughtUp();
      const observed = await observeOutcomes(runtime.deps, { meta: META });
      expect(observed.errors).toEqual([]);
      expect(observed.observed).toBe(HISTORY_ORGS);
      await caughtUp();
    }, 300_000);

    /** The read model's own view of each play's observed first opportunities, per arm. */
    async function armsBySql() {
      const rows = (await db.pool.any(sql.unsafe`
        WITH firsts AS (
          SELECT DISTINCT ON (type, experiment_id, org_id) id, type, arm, converted FROM revenue_opportunities
          WHERE observed_at IS NOT NULL AND experiment_id IS NOT NULL ORDER BY type, experiment_id, org_id, created_at, id)
        SELECT f.type, f.arm, count(*)::int AS orgs, count(*) FILTER (WHERE f.converted)::int AS conversions,
          coalesce((SELECT sum(a.credits_charged) FROM revenue_actions a WHERE a.opportunity_id IN (SELECT id FROM firsts g WHERE g.type = f.type AND g.arm = f.arm)), 0)::float8 AS credits
        FROM firsts f GROUP BY f.type, f.arm`)) as ReadonlyArray<{
        type: string;
        arm: string;
        orgs: number;
        conversions: number;
        credits: number;
      }>;
      return (type: string, arm: string) => rows.find((r) => r.type === type && r.arm === arm) ?? { orgs: 0, conversions: 0, credits: 0 };
    }

    it('reports every play: arms that add up to the seeded orgs, rates, credits from SQL, and not enough data', async () => {
      const reply = await get('/api/analytics/effect');
      expect(reply.status).toBe(200);
      const report = reply.body as unknown as EffectReport;
      expect(report.generatedAt).toBe(AS_OF.toISOString());
      expect(report.observationWindowDays).toBe(30);
      expect(report.method).toMatchObject({
        lift: expect.any(String),
        incrementalMrr: expect.any(String),
        minimumDetectableEffect: expect.any(String),
        horizon: expect.any(String),
        unit: expect.any(String),
        overall: expect.any(String),
        minimumSamplePerArm: 100,
        confidence: 0.95,
        power: 0.8,
      });
      expect(report.plays.map((p) => p.play)).toEqual([...OPPORTUNITY_TYPES]);
      const bySql = await armsBySql();
      const perPlay = HISTORY_ORGS / OPPORTUNITY_TYPES.length;
      const checkArm = (p: PlayEffect, arm: 'treatment' | 'control') => {
        const figures = p[arm];
        const expected = bySql(p.play, arm);
        expect({ play: p.play, arm, orgs: figures.orgs, conversions: figures.conversions }).toEqual({
          play: p.play,
          arm,
          orgs: expected.orgs,
          conversions: expected.conversions,
        });
        expect(figures.conversionRate).toBeCloseTo(figures.conversions / figures.orgs, 12);
      };
      for (const p of report.plays) {
        const holdout = holdoutRuleSet.holdouts![p.play as OpportunityType]!;
        expect({ play: p.play, experimentId: p.experimentId, share: p.holdoutShare }).toEqual({
          play: p.play,
          experimentId: holdout.experimentId,
          share: holdout.share,
        });
        checkArm(p, 'treatment');
        checkArm(p, 'control');
        expect({ play: p.play, orgs: p.treatment.orgs + p.control.orgs }).toEqual({ play: p.play, orgs: perPlay });
        expect(p.control.orgs).toBeGreaterThan(0);
        expect(p.creditsSpent).toBeGreaterThan(0);
        expect(p.creditsSpent).toBeCloseTo(bySql(p.play, 'treatment').credits, 6);
        // The held-out orgs were never actioned, so nothing was charged for them.
        expect(bySql(p.play, 'control').credits).toBe(0);
        expect(p).toMatchObject({
          enoughData: false,
          notEnoughDataReason: expect.stringMatching(/^not enough data: .*\d+ control orgs observed, at least 100 per arm needed$/),
          lift: null,
          incrementalConversions: null,
          incrementalMrr: null,
          incrementalMrrPerCredit: null,
          minimumDetectableEffect: null,
        });
      }
      const sum = (pick: (p: PlayEffect) => number) => report.plays.reduce((n, p) => n + pick(p), 0);
      expect(report.overall.treatment.orgs + report.overall.control.orgs).toBe(HISTORY_ORGS);
      expect(report.overall.treatment.orgs).toBe(sum((p) => p.treatment.orgs));
      expect(report.overall.control.conversions).toBe(sum((p) => p.control.conversions));
      expect(report.overall.creditsSpent).toBeCloseTo(
        sum((p) => p.creditsSpent),
        6,
      );
      expect(report.overall).toMatchObject({ play: 'overall', experimentId: null, holdoutShare: null, enoughData: false, lift: null });
      expect(report.overall.notEnoughDataReason).toMatch(/^not enough data: \d+ control orgs observed/);
    });

    it('attribution lists exactly the converted, non-control opportunities, with their actions, window, evidence and MRR', async () => {
      const expected = (await db.pool.any(sql.unsafe`
        SELECT id, org_id, type, experiment_id, arm, realised_mrr::float8 AS mrr FROM revenue_opportunities
        WHERE converted AND arm IS DISTINCT FROM 'control' ORDER BY observed_at DESC, id DESC`)) as ReadonlyArray<{
        id: string;
        org_id: string;
        type: string;
        experiment_id: string | null;
        arm: string | null;
        mrr: number;
      }>;
      // The control arm converted too: the list leaves those out, not merely finds none.
      const controlConversions = Number(
        await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_opportunities WHERE converted AND arm = 'control'`),
      );
      expect(controlConversions).toBeGreaterThan(0);
      expect(expected.length).toBeGreaterThan(20);

      const all = (await get('/api/analytics/attribution?limit=500')).body as unknown as Page;
      expect(all.nextCursor).toBeNull();
      expect(all.items.map((i) => i.opportunityId)).toEqual(expected.map((r) => r.id));
      for (const [n, item] of all.items.entries()) {
        const row = expected[n]!;
        expect({
          orgId: item.orgId,
          play: item.play,
          experimentId: item.experimentId,
          arm: item.arm,
          realisedMrr: item.realisedMrr,
        }).toEqual({
          orgId: row.org_id,
          play: row.type,
          experimentId: row.experiment_id,
          arm: 'treatment',
          realisedMrr: row.mrr,
        });
        expect(item.realisedMrr).toBeGreaterThanOrEqual(0);
        expect(item.actions.length).toBeGreaterThan(0);
        for (const action of item.actions) {
          expect(action).toMatchObject({
            actionId: expect.any(String),
            actionType: expect.any(String),
            result: 'accepted',
            creditsCharged: expect.any(Number),
          });
          expect(Date.parse(action.proposedAt)).toBeLessThanOrEqual(Date.parse(item.observation.observedAt));
        }
        const { windowStart, windowEnd, evidence, observedAt } = item.observation;
        expect(Date.parse(windowStart)).toBeLessThan(Date.parse(windowEnd));
        expect(Date.parse(item.detectedAt)).toBeLessThanOrEqual(Date.parse(windowStart) + 1);
        expect(Date.parse(windowEnd)).toBeLessThanOrEqual(Date.parse(observedAt));
        expect(typeof evidence).toBe('object');
        expect(Object.keys(evidence).length).toBeGreaterThan(0);
      }
    });

    it('pages with limit and nextCursor through every item once, in order, as SQL has them', async () => {
      const all = ((await get('/api/analytics/attribution?limit=500')).body as unknown as Page).items.map((i) => i.opportunityId);
      for (const limit of [1, 7, all.length, all.length - 1]) {
        const pages = await walk('', limit);
        const ids = pages.flatMap((p) => p.items.map((i) => i.opportunityId));
        expect({ limit, ids }).toEqual({ limit, ids: all });
        expect(new Set(ids).size).toBe(ids.length);
        expect(pages.every((p) => p.items.length <= limit)).toBe(true);
        expect(pages.slice(0, -1).every((p) => p.items.length === limit)).toBe(true);
        expect(pages).toHaveLength(Math.max(1, Math.ceil(all.length / limit)));
      }
      expect(((await get('/api/analytics/attribution')).body as unknown as Page).items).toHaveLength(Math.min(50, all.length));
    });

    it('filters by play and by org (paged too)', async () => {
      const all = ((await get('/api/analytics/attribution?limit=500')).body as unknown as Page).items;
      for (const play of OPPORTUNITY_TYPES) {
        const ids = (await walk(`&play=${play}`, 3)).flatMap((p) => p.items.map((i) => i.opportunityId));
        expect({ play, ids }).toEqual({ play, ids: all.filter((i) => i.play === play).map((i) => i.opportunityId) });
      }
      expect(new Set(all.map((i) => i.play)).size).toBe(OPPORTUNITY_TYPES.length);

      const org = all[3]!.orgId;
      const ofOrg = all.filter((i) => i.orgId === org);
      for (const spelled of [org, org.toUpperCase()]) {
        const page = (await get(`/api/analytics/attribution?orgId=${spelled}`)).body as unknown as Page;
        expect(page).toEqual({ items: ofOrg, nextCursor: null });
      }
      const both = (await get(`/api/analytics/attribution?orgId=${org}&play=${ofOrg[0]!.play}`)).body as unknown as Page;
      expect(both.items).toEqual(ofOrg);
      const otherPlay = OPPORTUNITY_TYPES.find((t) => t !== ofOrg[0]!.play)!;
      expect((await get(`/api/analytics/attribution?orgId=${org}&play=${otherPlay}`)).body).toEqual({ items: [], nextCursor: null });
      // A converted org of the control arm has no attribution.
      const heldOut = (await db.pool.oneFirst(
        sql.unsafe`SELECT org_id FROM revenue_opportunities WHERE converted AND arm = 'control' LIMIT 1`,
      )) as string;
      expect((await get(`/api/analytics/attribution?orgId=${heldOut}`)).body).toEqual({ items: [], nextCursor: null });
      expect((await get(`/api/analytics/attribution?orgId=${randomUUID()}`)).body).toEqual({ items: [], nextCursor: null });
    });

    it('refuses bad play, orgId, limit and hostile cursors with 400 problems naming the parameter (never 5xx)', async () => {
      const validCursor = ((await get('/api/analytics/attribution?limit=1')).body as unknown as Page).nextCursor!;
      expect(validCursor).toEqual(expect.any(String));
      const opportunity = randomUUID();
      const cases: Array<[string, string]> = [
        ['play=nope', 'play'],
        ['play=overall', 'play'],
        ['play=UPSELL', 'play'],
        ['play=upsell&play=cross_sell', 'play'],
        ['orgId=not-a-uuid', 'orgId'],
        [`orgId=${randomUUID()}x`, 'orgId'],
        ['orgId=%00', 'orgId'],
        ['limit=0', 'limit'],
        ['limit=501', 'limit'],
        ['limit=abc', 'limit'],
        ['limit=-1', 'limit'],
        ['limit=1.5', 'limit'],
        ['limit=0x10', 'limit'],
        ['cursor=', 'cursor'],
        ['cursor=hello%20world', 'cursor'],
        ['cursor=not-a-cursor', 'cursor'],
        [`cursor=${b64({ a: 1 })}`, 'cursor'],
        [`cursor=${b64([1, 2])}`, 'cursor'],
        [`cursor=${b64(['2026-11-01T00:00:00.000Z'])}`, 'cursor'],
        [`cursor=${b64(['2026-11-01T00:00:00.000Z', 'not-a-uuid'])}`, 'cursor'],
        [`cursor=${b64(['2026-11-01T00:00:00.000Z', opportunity, 'extra'])}`, 'cursor'],
        [`cursor=${b64(['yesterday', opportunity])}`, 'cursor'],
        [`cursor=${b64(['2026-02-30T00:00:00.000Z', opportunity])}`, 'cursor'],
        [`cursor=${b64(['2026-13-45T99:00:00.000Z', opportunity])}`, 'cursor'],
        [`cursor=${b64(['2026-11-01T00:00:00Z', opportunity])}`, 'cursor'],
        [`cursor=${b64(['0000-01-01T00:00:00.000Z', opportunity])}`, 'cursor'],
        [`cursor=${b64([1_700_000_000_000, opportunity])}`, 'cursor'],
        [`cursor=${b64(['2026-11-01T00:00:00.000Z\u0000', opportunity])}`, 'cursor'],
        [`cursor=${b64(['2026-11-01T00:00:00.000Z', `${opportunity}\u0000`])}`, 'cursor'],
        [`cursor=${Buffer.from('["2026-11-01T00:00:00.000Z", "\ud800"]').toString('base64url')}`, 'cursor'],
        ['cursor=%00', 'cursor'],
        ['cursor=%00%00', 'cursor'],
        ['cursor=%ED%A0%80', 'cursor'],
        ['cursor=%F0%9F%98', 'cursor'],
        ['cursor=%FF', 'cursor'],
        [`cursor=${'A'.repeat(300)}`, 'cursor'],
        [`cursor=${validCursor}&cursor=${validCursor}`, 'cursor'],
        [`cursor=${validCursor}=`, 'cursor'],
      ];
      for (const [query, parameter] of cases) {
        const reply = await get(`/api/analytics/attribution?${query}`);
        expectValidationProblem(reply, query);
        const pointers = new Set((reply.body.errors as Array<{ pointer: string }>).map((e) => e.pointer));
        expect({ query, pointers: [...pointers] }).toEqual({
          query,
          pointers: [`#/${parameter}`],
        });
      }
    });

    it('answers random query strings with 200 or a 400 problem, never 5xx', async () => {
      const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
      const value = fc.oneof(
        printable,
        fc.constantFrom(...OPPORTUNITY_TYPES, '0', '1', '500', '501', randomUUID(), '%00', '%ED%A0%80', '%FF'),
        fc.jsonValue().map(b64),
        fc
          .tuple(fc.date({ min: new Date(-1e14), max: new Date(1e14), noInvalidDate: true }), fc.uuid())
          .map(([d, id]) => b64([d.toISOString(), id])),
      );
      const query = fc.array(fc.tuple(fc.constantFrom('play', 'orgId', 'limit', 'cursor', 'x'), value), { maxLength: 4 });
      await fc.assert(
        fc.asyncProperty(query, async (pairs) => {
          // Percent-escapes are sent as written; anything else is encoded.
          const text = pairs.map(([k, v]) => `${k}=${/^(%[0-9A-F]{2})+$/.test(v) ? v : encodeURIComponent(v)}`).join('&');
          const reply = await get(`/api/analytics/attribution?${text}`);
          expect({ text, status: reply.status === 200 || reply.status === 400 }).toEqual({ text, status: true });
          if (reply.status === 400) expectValidationProblem(reply, text);
        }),
        { numRuns: 200, seed: 1414 },
      );
    });
  });

  describe('GET /api/revenue/expansion split by arm', () => {
    /** An org whose upsell falls on the given side of the upsell experiment's split. */
    const orgInArm = (arm: 'control' | 'treatment') => {
      const { experimentId, share } = holdoutRuleSet.holdouts!.upsell!;
      for (;;) {
        const id = randomUUID();
        if (holdoutBucket(id, experimentId) < share === (arm === 'control')) return id;
      }
    };

    async function analysed(arm: 'control' | 'treatment') {
      const orgId = await seedGrowingOrg(db, orgInArm(arm), `expansion ${arm}`);
      const user = randomUUID();
      await addMember(db, user, orgId, 'owner');
      const token = await userToken(user);
      const analysis = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId });
      expect(analysis.status).toBe(200);
      const read = (path: string) =>
        call(api, path, { token, orgId, headers: { 'x-min-position': analysis.headers.get('x-log-position')! } });
      const expansion = await read('/api/revenue/expansion');
      expect(expansion.status).toBe(200);
      const opportunities = await read('/api/revenue/opportunities?status=open&limit=100');
      expect(opportunities.status).toBe(200);
      const list = (opportunities.body.opportunities ?? opportunities.body.items) as OpportunityView[];
      const upsell = list.find((o) => o.type === 'upsell')!;
      const actions = Number(await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_actions WHERE opportunity_id = ${upsell.id}`));
      return { expansion: (expansion.body as { expansion: ExpansionView }).expansion, upsell, actions };
    }

    const cents = (x: number) => Math.round(x * 100);

    it('counts a held-out upsell under control (no action proposed), and the arms add up to potentialMRR', async () => {
      const { expansion, upsell, actions } = await analysed('control');
      expect(upsell).toMatchObject({ arm: 'control', experimentId: 'upsell-holdout-1', status: 'open', observation: null });
      expect(actions).toBe(0);
      expect(expansion.byArm.control.potentialMRR).toBeGreaterThan(0);
      expect(expansion.byArm.control.opportunities).toBeGreaterThan(0);
      expect(cents(expansion.byArm.treatment.potentialMRR) + cents(expansion.byArm.control.potentialMRR)).toBe(
        cents(expansion.potentialMRR),
      );
      expect(expansion.byArm.treatment.opportunities + expansion.byArm.control.opportunities).toBe(expansion.opportunities);
      expect(expansion.potentialMRRDefinition).toMatch(/both arms/);
    });

    it('counts a treated upsell under treatment, with its proposed action', async () => {
      const { expansion, upsell, actions } = await analysed('treatment');
      expect(upsell).toMatchObject({ arm: 'treatment', experimentId: 'upsell-holdout-1', status: 'open' });
      expect(actions).toBe(1);
      expect(expansion.byArm.treatment.potentialMRR).toBeGreaterThan(0);
      expect(cents(expansion.byArm.treatment.potentialMRR) + cents(expansion.byArm.control.potentialMRR)).toBe(
        cents(expansion.potentialMRR),
      );
    });
  });
});

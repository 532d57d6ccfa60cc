import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { DetectUpsell, OrgCommand, SweepFleet, SweepFleetHandler, TriggerActions } from '#revenue-commands';
import { defaultRuleSet, foldEvents, revenueStreamName, type RevenueEvent, type RuleSet } from '#revenue';
import { AS_OF, createRevenueHarness, seedOrg, type RevenueHarness } from './support/revenue-harness.js';

const DAY_MS = 86_400_000;

/** Usage that fires upsell (0.85), cross_sell (0.75), churn (0.9) and, on a small balance, the credit offer (0.8). */
const fourTypes = (d: number) => ({ text: d > 30 ? 4_000 : 1_700, voice: 0 });
/** 15,000 -> 24,000 tokens: feature_expansion only (exactly 0.7 in the default rules); balance 100 keeps the credit offer quiet. */
const growing = (d: number) => ({ text: d > 30 ? 500 : 800, voice: 0 });

function queries(h: RevenueHarness) {
  return {
    /** Opportunity types with an action in `status`, per org, from the read model. */
    actionTypes: async (orgId: string, status = 'proposed') =>
      (await h.db.pool.anyFirst(sql.unsafe`
        SELECT o.type FROM revenue_actions a JOIN revenue_opportunities o ON o.id = a.opportunity_id
        WHERE a.org_id = ${orgId} AND a.status = ${status} ORDER BY o.type`)) as string[],
    openTypes: async (orgId: string) =>
      (await h.db.pool.anyFirst(
        sql.unsafe`SELECT type FROM revenue_opportunities WHERE org_id = ${orgId} AND status = 'open' ORDER BY type`,
      )) as string[],
    stream: async (orgId: string) => h.store.readStream(revenueStreamName(orgId)),
  };
}

const typesOf = (events: readonly { type: string }[], type: RevenueEvent['type']) => events.filter((e) => e.type === type).length;

describe('fleet sweep proposes actions (default rules: >= 0.7, highest first, credits reserved)', () => {
  let h: RevenueHarness;
  let q: ReturnType<typeof queries>;
  const orgs: Record<string, string> = {};
  beforeAll(async () => {
    h = await createRevenueHarness();
    q = queries(h);
    orgs.rich = await seedOrg(h, { tier: 1, balance: 10, days: 60, daily: fourTypes });
    orgs.broke = await seedOrg(h, { tier: 1, balance: 0, days: 60, daily: fourTypes });
    orgs.twoCredits = await seedOrg(h, { tier: 1, balance: 0.05, days: 60, daily: fourTypes }); // 2 x 0.02 fit, the third does not
    orgs.noWallet = await seedOrg(h, { tier: null, days: 30, daily: () => ({ text: 1_800, voice: 0 }) });
    orgs.exactly07 = await seedOrg(h, { tier: 1, balance: 100, days: 60, daily: growing });
    orgs.idle = await seedOrg(h, { tier: 1 });
  });
  afterAll(async () => h.close());

  it('proposes exactly the actions the trigger rules call for, in the same append as the detections', async () => {
    const result = await h.commands.execute(new SweepFleet(h.meta(), 2));
    expect(result).toMatchObject({ orgs: 6, conflictsRetried: 0, actionsProposed: 4 + 2 + 1, runsStopped: 3 });
    await h.caughtUp(result.position);
    const all = ['credit_marketplace_offer', 'cross_sell', 'retention_intervention', 'upsell'];
    expect(await q.openTypes(orgs.rich!)).toEqual(all);
    expect(await q.actionTypes(orgs.rich!)).toEqual(all);
    // Highest first: churn 0.9 and upsell 0.85 fit in 0.05 credits; the credit offer (0.8) does not.
    expect(await q.actionTypes(orgs.twoCredits!)).toEqual(['retention_intervention', 'upsell']);
    expect(await q.actionTypes(orgs.exactly07!)).toEqual(['feature_expansion']); // confidence exactly 0.7
    expect(await q.actionTypes(orgs.idle!)).toEqual([]);

    const rich = await q.stream(orgs.rich!);
    expect(new Set(rich.map((e) => e.position.commit)).size).toBe(1); // one append: detections and proposals
    expect(rich.map((e) => e.type)).toEqual([
      ...Array(4).fill('revenue.opportunity-detected.v1'),
      ...Array(4).fill('revenue.action-proposed.v1'),
    ]);
    expect(foldEvents(rich as unknown as RevenueEvent[])).toMatchObject({ creditsReserved: 0.08, creditsCharged: 0 });

    const twoCredits = await q.stream(orgs.twoCredits!);
    const stopped = twoCredits.find((e) => e.type === 'revenue.action-run-stopped.v1');
    expect(stopped?.data).toMatchObject({
      why: 'insufficient_credits',
      creditsAvailable: 0.05,
      creditsReservedThisRun: 0.04,
      actionsProposed: 2,
    });
  });

  it('no credits (balance 0, or no wallet): no proposal, and a run-stopped event', async () => {
    for (const orgId of [orgs.broke!, orgs.noWallet!]) {
      expect(await q.openTypes(orgId)).not.toEqual([]);
      expect(await q.actionTypes(orgId)).toEqual([]);
      const events = await q.stream(orgId);
      expect(typesOf(events, 'revenue.action-proposed.v1')).toBe(0);
      expect(events.filter((e) => e.type === 'revenue.action-run-stopped.v1').map((e) => e.data)).toEqual([
        expect.objectContaining({ why: 'insufficient_credits', creditsAvailable: 0, actionsProposed: 0 }),
      ]);
    }
  });

  it('a second sweep proposes nothing new, and does not record the same stops for credits again', async () => {
    const before = await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM revenue_actions`);
    const again = await h.commands.execute(new SweepFleet(h.meta()));
    expect(again).toMatchObject({ actionsProposed: 0, runsStopped: 0, eventsAppended: 0, conflictsRetried: 0 });
    await h.caughtUp(again.position);
    expect(await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM revenue_actions`)).toBe(before);
  });

  it('a stale snapshot (read model behind the stream) is decided from the stream: right proposals, no double reservation', async () => {
    const orgId = await seedOrg(h, { tier: 1, balance: 10, days: 60, daily: fourTypes });
    await h.caughtUp((await h.commands.execute(new DetectUpsell(orgId, h.meta()))).position); // read model: upsell open, no action
    await h.pauseProjections();
    await h.commands.execute(new TriggerActions(orgId, h.meta())); // the stream: upsell actioned; the read model does not know
    await h.db.pool.query(sql.unsafe`UPDATE token_usage SET text_tokens_used = text_tokens_used + 1 WHERE org_id = ${orgId}`);
    const result = await h.commands.execute(new SweepFleet(h.meta()));
    h.resumeProjections();
    expect(result.conflictsRetried).toBe(1);
    expect(result.actionsProposed).toBe(3); // the three new opportunities; not the upsell again
    await h.caughtUp(result.position);

    const events = await q.stream(orgId);
    const proposed = events
      .filter((e) => e.type === 'revenue.action-proposed.v1')
      .map((e) => (e.data as { opportunityType: string }).opportunityType);
    expect(proposed.sort()).toEqual(['credit_marketplace_offer', 'cross_sell', 'retention_intervention', 'upsell']);
    expect(foldEvents(events as unknown as RevenueEvent[]).creditsReserved).toBe(0.08);
    expect(await q.actionTypes(orgId)).toEqual(['credit_marketplace_offer', 'cross_sell', 'retention_intervention', 'upsell']);
  });
});

describe('fleet sweep proposes actions (a rule set with feature_expansion at 0.69 and maxPerRun 2)', () => {
  // The domain has 5 opportunity types and at most 4 fire together (churn and growth exclude each
  // other), so an org cannot have 6 qualifying opportunities: the cap is tested with maxPerRun 2.
  const ruleSet: RuleSet = {
    ...defaultRuleSet,
    version: 'test-sweep-proposes',
    featureExpansion: { ...defaultRuleSet.featureExpansion, confidence: 0.69 },
    actions: { ...defaultRuleSet.actions, maxPerRun: 2 },
  };
  let h: RevenueHarness;
  let q: ReturnType<typeof queries>;
  beforeAll(async () => {
    h = await createRevenueHarness();
    q = queries(h);
  });
  afterAll(async () => h.close());

  it('confidence 0.69 is not proposed; of 4 qualifying opportunities the 2 most confident are (maxPerRun 2)', async () => {
    const below = await seedOrg(h, { tier: 1, balance: 100, days: 60, daily: growing });
    const capped = await seedOrg(h, { tier: 1, balance: 10, days: 60, daily: fourTypes });
    const result = await new SweepFleetHandler({ ...h.deps, ruleSet }).execute(new SweepFleet(h.meta()));
    expect(result).toMatchObject({ actionsProposed: 2, runsStopped: 0 });
    await h.caughtUp(result.position);
    expect(await q.openTypes(below)).toEqual(['feature_expansion']);
    expect(await q.actionTypes(below)).toEqual([]);
    expect(await q.openTypes(capped)).toHaveLength(4);
    expect(await q.actionTypes(capped)).toEqual(['retention_intervention', 'upsell']); // 0.9 and 0.85
  });
});

describe('fleet sweep proposes actions (7-day cooldown and live actions, clock from deps.clock)', () => {
  let h: RevenueHarness;
  let q: ReturnType<typeof queries>;
  let orgId: string;
  const types = ['credit_marketplace_offer', 'cross_sell', 'upsell'];
  beforeAll(async () => {
    h = await createRevenueHarness();
    q = queries(h);
    // 2,500 tokens a day for 60 days: upsell, cross_sell and the credit offer still fire a week on.
    orgId = await seedOrg(h, { tier: 1, balance: 10, days: 60, daily: () => ({ text: 2_500, voice: 0 }) });
  });
  afterAll(async () => h.close());

  const sweepAt = async (ms: number, ruleSet = defaultRuleSet) => {
    h.clock.current = new Date(AS_OF.getTime() + ms);
    const result = await new SweepFleetHandler({ ...h.deps, ruleSet }).execute(new SweepFleet(h.meta()));
    await h.caughtUp(result.position);
    return result;
  };

  it('skips an opportunity actioned exactly 7 days ago; proposes again at 7 days + 1 ms', async () => {
    expect(await sweepAt(0)).toMatchObject({ actionsProposed: 3 });
    const actionIds = (await h.db.pool.anyFirst(sql.unsafe`SELECT id FROM revenue_actions WHERE org_id = ${orgId}`)) as string[];
    for (const actionId of actionIds) {
      const rejected = await h.commands.execute(new OrgCommand({ kind: 'RejectAction', orgId, actionId, reason: 'not now' }, h.meta()));
      await h.caughtUp(rejected.position);
    }
    expect(await q.actionTypes(orgId, 'rejected')).toEqual(types);

    // The snapshot path (conflictsRetried 0) reads lastActionAt from the read model.
    expect(await sweepAt(7 * DAY_MS)).toMatchObject({ actionsProposed: 0, conflictsRetried: 0 }); // refreshes only
    expect(await q.openTypes(orgId)).toEqual(types);
    expect(await q.actionTypes(orgId)).toEqual([]);

    expect(await sweepAt(7 * DAY_MS + 1)).toMatchObject({ actionsProposed: 3, conflictsRetried: 0 });
    expect(await q.actionTypes(orgId)).toEqual(types);
  });

  it('skips an opportunity whose action is still waiting (proposed) once out of the cooldown: credits reserved once', async () => {
    // Cooldown 0 days: the actions proposed at 7 days + 1 ms are out of it 1 ms later, but still live.
    const noCooldown: RuleSet = { ...defaultRuleSet, actions: { ...defaultRuleSet.actions, cooldownDays: 0 } };
    expect(await sweepAt(7 * DAY_MS + 2, noCooldown)).toMatchObject({ eventsAppended: 0, actionsProposed: 0, conflictsRetried: 0 });
    expect(await q.actionTypes(orgId)).toEqual(types);
    expect(foldEvents((await q.stream(orgId)) as unknown as RevenueEvent[]).creditsReserved).toBe(0.06);
  });
});

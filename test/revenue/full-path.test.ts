import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { DetectChurn, DetectUpsell, OrgCommand, RunFullAnalysis } from '#revenue-commands';
import { expansionOf, listOpportunities } from '#read-models';
import { createRevenueHarness, seedOrg, type RevenueHarness } from './support/revenue-harness.js';

// usage rows -> command -> events -> projection -> revenue_opportunities / revenue_actions rows.
describe('revenue full path against PostgreSQL', () => {
  let h: RevenueHarness;
  beforeAll(async () => {
    h = await createRevenueHarness();
  });
  afterAll(async () => h.close());

  const opportunities = (orgId: string) =>
    h.db.pool.any(
      sql.unsafe`SELECT type, source, confidence, details, status FROM revenue_opportunities WHERE org_id = ${orgId} ORDER BY type`,
    );

  it('DetectUpsell: a tier-1 org above 50,000 tokens in 30 days gets one upsell row with the spec details', async () => {
    const orgId = await seedOrg(h, { tier: 1, days: 30, daily: () => ({ text: 2_000, voice: 0 }) });
    const result = await h.commands.execute(new DetectUpsell(orgId, h.meta()));
    expect(result.detections.map((d) => d.type)).toEqual(['upsell']);
    await h.caughtUp(result.position);
    expect(await opportunities(orgId)).toEqual([
      {
        type: 'upsell',
        source: 'usage_analysis',
        confidence: 0.85,
        status: 'open',
        details: { currentTier: 1, suggestedTier: 2, monthlyTokens: 60_000, monthlyVoice: 0 },
      },
    ]);
  });

  it('a repeat detection refreshes the open opportunity instead of adding one', async () => {
    const orgId = await seedOrg(h, { tier: 2, days: 30, daily: () => ({ text: 2_000, voice: 0 }) });
    const first = await h.commands.execute(new DetectUpsell(orgId, h.meta()));
    await h.db.pool.query(sql.unsafe`UPDATE token_usage SET text_tokens_used = 3000 WHERE org_id = ${orgId}`);
    const second = await h.commands.execute(new DetectUpsell(orgId, h.meta()));
    expect(second.events.map((e) => e.type)).toEqual(['revenue.opportunity-refreshed.v1']);
    await h.caughtUp(second.position ?? first.position);
    const rows = await opportunities(orgId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.details).toMatchObject({ monthlyTokens: 90_000, currentTier: 2 });
  });

  it('DetectChurn compares usage volume of the two 30-day windows', async () => {
    // 60 days ago .. 31 days ago: 1,000 tokens a day; the last 30 days: 400 a day (a 60 % decline).
    const orgId = await seedOrg(h, { tier: 1, days: 60, daily: (d) => ({ text: d > 30 ? 1_000 : 400, voice: 0 }) });
    const result = await h.commands.execute(new DetectChurn(orgId, h.meta()));
    await h.caughtUp(result.position);
    const [row] = await opportunities(orgId);
    expect(row).toMatchObject({ type: 'retention_intervention', source: 'usage_decline', confidence: 0.9 });
    expect(row!.details).toMatchObject({ declinePercent: 60 });
  });

  it('RunFullAnalysis -> approve -> sent -> accepted: rows follow the lifecycle and credits are charged once', async () => {
    const orgId = await seedOrg(h, { tier: 1, balance: 1, days: 30, daily: () => ({ text: 2_000, voice: 20 }) });
    const run = await h.commands.execute(new RunFullAnalysis(orgId, h.meta()));
    expect(run.analysis.upsellOpportunities).toBe(1);
    expect(run.analysis.actionsTriggered).toBeGreaterThanOrEqual(1);
    expect(run.analysis.potentialMRR).toBeGreaterThanOrEqual(12.75); // 15 x 0.85 for the upsell alone
    await h.caughtUp(run.position);

    const action = await h.db.pool.one(sql.unsafe`
      SELECT a.id, a.action_type, a.result, a.status, a.credits_reserved::float8 AS reserved
      FROM revenue_actions a JOIN revenue_opportunities o ON o.id = a.opportunity_id
      WHERE o.org_id = ${orgId} AND o.type = 'upsell'`);
    expect(action).toMatchObject({ action_type: 'offer_upgrade', result: 'pending', status: 'proposed', reserved: 0.02 });

    const approved = await h.commands.execute(
      new OrgCommand({ kind: 'ApproveAction', orgId, actionId: action.id as string }, h.meta({ actor: { kind: 'service', id: 'maos' } })),
    );
    const sent = await h.commands.execute(
      new OrgCommand({ kind: 'RecordActionDispatch', orgId, actionId: action.id as string, result: 'sent' }, h.meta()),
    );
    // A retried dispatch report changes nothing and charges nothing twice.
    const retried = await h.commands.execute(
      new OrgCommand({ kind: 'RecordActionDispatch', orgId, actionId: action.id as string, result: 'sent' }, h.meta()),
    );
    expect(retried.events).toEqual([]);
    const accepted = await h.commands.execute(
      new OrgCommand({ kind: 'RecordActionOutcome', orgId, actionId: action.id as string, outcome: 'accepted' }, h.meta()),
    );
    await h.caughtUp(accepted.position ?? sent.position ?? approved.position);

    expect(
      await h.db.pool.one(
        sql.unsafe`SELECT result, status, credits_charged::float8 AS charged FROM revenue_actions WHERE id = ${action.id as string}`,
      ),
    ).toEqual({
      result: 'accepted',
      status: 'accepted',
      charged: 0.02,
    });
    expect(await h.db.pool.oneFirst(sql.unsafe`SELECT status FROM revenue_opportunities WHERE org_id = ${orgId} AND type = 'upsell'`)).toBe(
      'won',
    );
    const charges = await h.db.pool.any(sql.unsafe`SELECT amount::float8 AS amount FROM credit_ledger WHERE org_id = ${orgId}`);
    expect(charges).toEqual([{ amount: 0.02 }]);
    expect(await h.db.pool.oneFirst(sql.unsafe`SELECT balance::float8 FROM token_wallets WHERE org_id = ${orgId}`)).toBeCloseTo(0.98, 10);
  });

  it('expansion from the read model equals the analysis potentialMRR, and re-runs do not inflate it', async () => {
    const orgId = await seedOrg(h, { tier: 1, balance: 0, days: 60, daily: (d) => ({ text: d <= 30 ? 4_000 : 1_000, voice: 0 }) });
    const first = await h.commands.execute(new RunFullAnalysis(orgId, h.meta()));
    const second = await h.commands.execute(new RunFullAnalysis(orgId, h.meta()));
    await h.caughtUp(second.position ?? first.position);
    const expansion = await expansionOf(h.db.pool, orgId, h.deps.ruleSet);
    expect(expansion.potentialMRR).toBe(first.analysis.potentialMRR);
    expect(second.analysis.potentialMRR).toBe(first.analysis.potentialMRR);
    const open = await listOpportunities(h.db.pool, orgId, { status: 'open', limit: 10 });
    const weights: Record<string, number> = { upsell: 15, cross_sell: 10, feature_expansion: 5 };
    const expected = Math.round(open.reduce((sum, o) => sum + (weights[o.type] ?? 0) * o.confidence, 0) * 100) / 100;
    expect(expansion.potentialMRR).toBe(expected);
    expect(expansion.opportunities).toBe(open.filter((o) => weights[o.type]).length);
    expect(expansion.topOpportunity?.type).toBe('upsell');
    // No credits: the run stopped and recorded why instead of proposing actions.
    expect(first.analysis.actionsTriggered).toBe(0);
    expect(first.events.map((e) => e.type)).toContain('revenue.action-run-stopped.v1');
  });

  it('a rejected action keeps its reason and releases its credits', async () => {
    const orgId = await seedOrg(h, { tier: 1, balance: 1, days: 30, daily: () => ({ text: 2_000, voice: 0 }) });
    const run = await h.commands.execute(new RunFullAnalysis(orgId, h.meta()));
    await h.caughtUp(run.position);
    const actionId = (await h.db.pool.oneFirst(sql.unsafe`SELECT id FROM revenue_actions WHERE org_id = ${orgId} LIMIT 1`)) as string;
    const rejected = await h.commands.execute(
      new OrgCommand({ kind: 'RejectAction', orgId, actionId, reason: 'not this quarter' }, h.meta()),
    );
    await h.caughtUp(rejected.position);
    expect(
      await h.db.pool.one(
        sql.unsafe`SELECT status, reason, credits_reserved::float8 AS reserved FROM revenue_actions WHERE id = ${actionId}`,
      ),
    ).toEqual({
      status: 'rejected',
      reason: 'not this quarter',
      reserved: 0,
    });
    // Only this action's reservation (0.02) is released; the run's other actions still hold theirs.
    expect(run.state.creditsReserved - rejected.state.creditsReserved).toBeCloseTo(0.02, 10);
  });

  it('two concurrent analyses of one org still produce one opportunity per type', async () => {
    const orgId = await seedOrg(h, { tier: 1, balance: 1, days: 30, daily: () => ({ text: 2_000, voice: 0 }) });
    const runs = await Promise.all([1, 2, 3, 4].map(() => h.commands.execute(new RunFullAnalysis(orgId, h.meta()))));
    await h.caughtUp(
      runs
        .map((r) => r.position)
        .filter(Boolean)
        .sort()
        .at(-1) ?? null,
    );
    for (const r of runs) await h.caughtUp(r.position);
    const counts = await h.db.pool.any(
      sql.unsafe`SELECT type, count(*)::int AS n FROM revenue_opportunities WHERE org_id = ${orgId} GROUP BY type`,
    );
    expect(counts.every((c) => c.n === 1)).toBe(true);
    expect(await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM revenue_actions WHERE org_id = ${orgId}`)).toBe(counts.length);
  });
});

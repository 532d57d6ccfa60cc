import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { RunFullAnalysis, SweepFleet } from '#revenue-commands';
import { createRevenueHarness, seedOrg, type RevenueHarness } from './support/revenue-harness.js';

describe('fleet sweep (set-based detection and triggering for every org)', () => {
  let h: RevenueHarness;
  const orgs: Record<string, string> = {};
  beforeAll(async () => {
    h = await createRevenueHarness();
    orgs.heavyTextTier1 = await seedOrg(h, { tier: 1, days: 60, daily: () => ({ text: 2_000, voice: 0 }) });
    orgs.voiceTier2 = await seedOrg(h, { tier: 2, days: 60, daily: () => ({ text: 100, voice: 20 }) });
    orgs.tier3 = await seedOrg(h, { tier: 3, days: 60, daily: () => ({ text: 5_000, voice: 50 }) });
    orgs.declining = await seedOrg(h, { tier: 1, days: 60, daily: (d) => ({ text: d > 30 ? 1_000 : 300, voice: 0 }) });
    orgs.idle = await seedOrg(h, { tier: 1 });
    orgs.noWallet = await seedOrg(h, { tier: null, days: 30, daily: () => ({ text: 1_800, voice: 0 }) });
  });
  afterAll(async () => h.close());

  const openTypes = async (orgId: string) =>
    (await h.db.pool.anyFirst(
      sql.unsafe`SELECT type FROM revenue_opportunities WHERE org_id = ${orgId} AND status = 'open' ORDER BY type`,
    )) as string[];

  it('finds the same opportunities the per-org rules find, for every org in one pass', async () => {
    const result = await h.commands.execute(new SweepFleet(h.meta(), 2)); // pages of 2 orgs: exercises paging
    expect(result.orgs).toBe(6);
    expect(result.conflictsRetried).toBe(0);
    await h.caughtUp(result.position);
    expect(await openTypes(orgs.heavyTextTier1!)).toEqual(expect.arrayContaining(['upsell', 'cross_sell']));
    expect(await openTypes(orgs.voiceTier2!)).toContain('upsell'); // 600 voice seconds > 300 on tier 2
    expect(await openTypes(orgs.tier3!)).not.toContain('upsell'); // tier 3 is the top of the upsell rule
    expect(await openTypes(orgs.declining!)).toContain('retention_intervention');
    expect(await openTypes(orgs.idle!)).toEqual([]);
    expect(await openTypes(orgs.noWallet!)).toContain('upsell'); // no wallet = tier 1; 54,000 tokens
  });

  it('a second sweep over unchanged usage writes nothing (not even the stop for credits of the org without a wallet again)', async () => {
    const again = await h.commands.execute(new SweepFleet(h.meta()));
    expect(again.detections).toBeGreaterThan(0);
    expect(again).toMatchObject({ orgsChanged: 0, eventsAppended: 0, runsStopped: 0, actionsProposed: 0 });
  });

  it('is safe concurrently with itself and with per-org analyses: still one open opportunity per (org, type)', async () => {
    await h.db.pool.query(
      sql.unsafe`UPDATE token_usage SET text_tokens_used = text_tokens_used + 7 WHERE org_id = ${orgs.heavyTextTier1!}`,
    );
    const results = await Promise.all([
      h.commands.execute(new SweepFleet(h.meta(), 3)),
      h.commands.execute(new SweepFleet(h.meta(), 3)),
      h.commands.execute(new RunFullAnalysis(orgs.heavyTextTier1!, h.meta())),
    ]);
    for (const r of results) await h.caughtUp(r.position);
    const perType = await h.db.pool.any(sql.unsafe`
      SELECT org_id, type, count(*)::int AS n FROM revenue_opportunities WHERE status = 'open' GROUP BY org_id, type HAVING count(*) > 1`);
    expect(perType).toEqual([]);
    const [upsell] = await h.db.pool.any(
      sql.unsafe`SELECT details FROM revenue_opportunities WHERE org_id = ${orgs.heavyTextTier1!} AND type = 'upsell'`,
    );
    expect((upsell!.details as { monthlyTokens: number }).monthlyTokens).toBe(60_000 + 30 * 7);
  });

  it('decides again from the stream when the read model is behind (stale snapshot -> conflict -> retry)', async () => {
    await h.pauseProjections(); // freeze the read model
    await h.db.pool.query(sql.unsafe`UPDATE token_usage SET text_tokens_used = text_tokens_used + 1 WHERE org_id = ${orgs.declining!}`);
    await h.commands.execute(new RunFullAnalysis(orgs.declining!, h.meta())); // moves the stream past the snapshot
    await h.db.pool.query(sql.unsafe`UPDATE token_usage SET text_tokens_used = text_tokens_used + 1 WHERE org_id = ${orgs.declining!}`);
    const result = await h.commands.execute(new SweepFleet(h.meta()));
    expect(result.conflictsRetried).toBeGreaterThanOrEqual(1);
    h.resumeProjections();
    await h.caughtUp(result.position);
    const rows = await h.db.pool.anyFirst(
      sql.unsafe`SELECT count(*)::int FROM revenue_opportunities WHERE org_id = ${orgs.declining!} AND type = 'retention_intervention'`,
    );
    expect(rows).toEqual([1]);
  });

  it('expires an open opportunity whose rule no longer fires, so it stops counting', async () => {
    await h.db.pool.query(sql.unsafe`UPDATE token_usage SET text_tokens_used = 1000 WHERE org_id = ${orgs.declining!}`); // no more decline
    const result = await h.commands.execute(new SweepFleet(h.meta()));
    await h.caughtUp(result.position);
    const row = await h.db.pool.one(
      sql.unsafe`SELECT status, close_reason FROM revenue_opportunities WHERE org_id = ${orgs.declining!} AND type = 'retention_intervention'`,
    );
    expect(row).toEqual({ status: 'expired', close_reason: 'rule_no_longer_fires' });
  });
});

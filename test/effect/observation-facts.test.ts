import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { RunFullAnalysis } from '#revenue-commands';
import { loadDueObservations, observeOutcomes } from '#runtime';
import { createRevenueHarness, seedOrg, type RevenueHarness } from '../revenue/support/revenue-harness.js';
import { caughtUpWithCommitted } from '../support/revenue-stack.js';

const DAY = 86_400_000;
const meta = { actor: { kind: 'system' as const, id: 'test' }, correlationId: 'observe' };

/**
 * What the observer reads of the platform for one window [detection, detection + 30 days): usage,
 * credit purchases and tier history at the window's edges, and when an opportunity becomes due.
 */
describe('observation facts from the platform tables', () => {
  let h: RevenueHarness;
  let orgId: string;
  let detectedAt: Date;
  beforeAll(async () => {
    h = await createRevenueHarness();
    // Text only, tier 1, a small balance: upsell, cross-sell and the credit offer fire.
    orgId = await seedOrg(h, { tier: 1, balance: 0.5, days: 30, daily: () => ({ text: 2_000, voice: 0 }) });
    const run = await h.commands.execute(new RunFullAnalysis(orgId, h.meta()));
    await h.caughtUp(run.position);
    detectedAt = h.clock.now();
  });
  afterAll(async () => h.close());

  const at = (ms: number) => new Date(detectedAt.getTime() + ms).toISOString();
  const due = (now: Date) => loadDueObservations(h.db.pool, now, 30, { limit: 100, after: null });

  it('is due exactly when the window has closed, not a millisecond before', async () => {
    expect(await due(new Date(detectedAt.getTime() + 30 * DAY - 1))).toEqual([]);
    expect((await due(new Date(detectedAt.getTime() + 30 * DAY))).length).toBe(3);
  });

  it('counts what falls in [start, end): usage and purchases at the start, not at the end; tier changes by the same rule', async () => {
    await h.db.pool.query(sql.unsafe`
      INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used) VALUES
        (${orgId}, ${at(0)}, 0, 7), (${orgId}, ${at(30 * DAY - 1)}, 0, 11), (${orgId}, ${at(30 * DAY)}, 0, 1000)`);
    await h.db.pool.query(sql.unsafe`
      INSERT INTO credit_purchases (org_id, credits, amount, purchased_at) VALUES
        (${orgId}, 10, 9.5, ${at(0)}), (${orgId}, 10, 100, ${at(30 * DAY)})`);
    // Tier 1 -> 2 inside the window, 2 -> 3 exactly at its end (after it).
    await h.db.pool.query(sql.unsafe`
      INSERT INTO tier_changes (org_id, from_tier, to_tier, changed_at) VALUES
        (${orgId}, 1, 2, ${at(DAY)}), (${orgId}, 2, 3, ${at(30 * DAY)})`);
    const [row] = await due(new Date(detectedAt.getTime() + 31 * DAY));
    expect(row!.facts).toMatchObject({
      windowStart: at(0),
      windowEnd: at(30 * DAY),
      tierAtStart: 1,
      tierAtEnd: 2,
      voiceSeconds: 18,
      creditPurchases: 1,
      creditPurchaseAmount: 9.5,
    });
    // The seeded days before detection are not in the window.
    expect(row!.facts.textTokens).toBe(0);
  });

  it('the wallet trigger records a tier change (migration 116), at now() or at a backfill instant', async () => {
    await h.db.pool.query(sql.unsafe`DELETE FROM tier_changes WHERE org_id = ${orgId}`);
    await h.db.pool.transaction(async (tx) => {
      await tx.query(sql.unsafe`SELECT set_config('revenue_engine.tier_changed_at', ${at(2 * DAY)}, true)`);
      await tx.query(sql.unsafe`UPDATE token_wallets SET tier = 2 WHERE org_id = ${orgId}`);
    });
    await h.db.pool.query(sql.unsafe`UPDATE token_wallets SET tier = 2 WHERE org_id = ${orgId}`); // unchanged: no row
    const changes = await h.db.pool.any(sql.unsafe`SELECT from_tier, to_tier, changed_at FROM tier_changes WHERE org_id = ${orgId}`);
    expect(changes).toEqual([{ from_tier: 1, to_tier: 2, changed_at: Date.parse(at(2 * DAY)) }]);
  });

  it('observes each due opportunity once; a second pass and a rerun record nothing', async () => {
    h.clock.current = new Date(detectedAt.getTime() + 31 * DAY);
    const first = await observeOutcomes(h.deps, { meta });
    expect(first).toEqual({ orgs: 1, observed: 3, errors: [] });
    // The read model has not caught up yet: the same opportunities are nominated again and the domain records nothing.
    expect(await observeOutcomes(h.deps, { meta })).toMatchObject({ observed: 0, errors: [] });
    await caughtUpWithCommitted(h);
    expect(await observeOutcomes(h.deps, { meta })).toEqual({ orgs: 0, observed: 0, errors: [] });
    const rows = await h.db.pool.any(sql.unsafe`
      SELECT type, converted, realised_mrr::float8 AS mrr FROM revenue_opportunities WHERE org_id = ${orgId} ORDER BY type`);
    expect(rows).toEqual([
      { type: 'credit_marketplace_offer', converted: true, mrr: 9.5 },
      { type: 'cross_sell', converted: true, mrr: 10 },
      { type: 'upsell', converted: true, mrr: 15 },
    ]);
  });
  it('keeps 30 x 24 hours in a session whose time zone changes its clocks inside the window', async () => {
    const spring = new Date('2026-03-10T12:00:00.000Z'); // Europe moves its clocks on 29 March
    const saved = h.clock.current;
    h.clock.current = spring;
    const other = await seedOrg(h, { tier: 1, balance: 0.5, days: 30, daily: () => ({ text: 2_000, voice: 0 }) });
    const run = await h.commands.execute(new RunFullAnalysis(other, h.meta()));
    await h.caughtUp(run.position);
    h.clock.current = saved;
    const rows = await h.db.pool.transaction(async (tx) => {
      await tx.query(sql.unsafe`SET LOCAL TIME ZONE 'Europe/Berlin'`);
      return loadDueObservations(tx, new Date(spring.getTime() + 31 * DAY), 30, { limit: 100, after: null });
    });
    const mine = rows.filter((r) => r.org_id === other);
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) expect(r.facts.windowEnd).toBe(new Date(spring.getTime() + 30 * DAY).toISOString());
  });
});

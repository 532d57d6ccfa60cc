import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { effectReport } from '#read-models';
import { holdoutRuleSet, OPPORTUNITY_TYPES } from '#revenue';
import { observeOutcomes, seedDemoHistory } from '#runtime';
import { AS_OF, createRevenueStack, type RevenueStack, caughtUpWithCommitted } from '../support/revenue-stack.js';

/**
 * The demo's backdated experiment: through the sweep (moved clock), the operator's approvals,
 * MAOS's dispatch reports, the platform tables and the observer, the report shows the planted
 * +15 points within its interval on the first start.
 */
describe('demo history with a planted lift', () => {
  let stack: RevenueStack;
  beforeAll(async () => {
    stack = await createRevenueStack();
  });
  afterAll(async () => stack?.close());

  it('is observed by the scheduler step and reported with an interval that holds the planted lift', async () => {
    const deps = { ...stack.deps, ruleSet: holdoutRuleSet };
    const seeded = await seedDemoHistory(deps, AS_OF, { orgs: 6_000 });
    await caughtUpWithCommitted(stack);
    const observed = await observeOutcomes(deps, { meta: { actor: { kind: 'system', id: 'test' }, correlationId: 'c' } });
    expect(seeded.orgs).toBe(6_000);
    expect(observed.errors).toEqual([]);
    expect(observed.observed).toBe(6_000);
    await caughtUpWithCommitted(stack);
    const report = await effectReport(stack.db.pool, { now: AS_OF, observationWindowDays: 30 });
    expect(report.plays.map((p) => p.play)).toEqual([...OPPORTUNITY_TYPES]);
    const overall = report.overall;
    expect(overall.treatment.orgs + overall.control.orgs).toBe(6_000);
    expect(overall.enoughData).toBe(true);
    expect(overall.lift!.low).toBeLessThan(0.15);
    expect(overall.lift!.high).toBeGreaterThan(0.15);
    expect(overall.lift!.low).toBeGreaterThan(0);
    // Ids derive from the org's number, so this is the demo every machine shows: each play has enough data too.
    for (const play of report.plays) {
      expect({ play: play.play, enough: play.enoughData, covers: play.lift!.low < 0.15 && play.lift!.high > 0.15 }).toEqual({
        play: play.play,
        enough: true,
        covers: true,
      });
    }
    const credits = Number(await stack.db.pool.oneFirst(sql.unsafe`SELECT coalesce(sum(credits_charged), 0) FROM revenue_actions`));
    expect(overall.creditsSpent).toBeCloseTo(credits, 6);
  }, 400_000); // a bound on a hang: 33 s alone, over 120 s beside the whole suite on a loaded machine
});

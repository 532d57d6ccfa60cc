import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadState } from '#event-store';
import { revenueFold, SweepFleet, SweepFleetHandler, type RevenueDeps } from '#revenue-commands';
import { holdoutRuleSet, revenueStreamName, type RevenueAccountState } from '#revenue';
import { createRevenueHarness, seedOrg, type RevenueHarness } from './support/revenue-harness.js';

/** Usage that fires upsell, cross_sell, churn and the credit offer (as in sweep-proposes.test.ts). */
const fourTypes = (d: number) => ({ text: d > 30 ? 4_000 : 1_700, voice: 0 });

/**
 * The sweep under the rules with holdouts: every new opportunity is assigned an arm, held-out
 * ones get no action, and the read-model snapshot the sweep decides from carries the arms exactly
 * as the fold of the stream has them, so a second sweep decides as a decision from the stream would.
 */
describe('fleet sweep with holdouts', () => {
  let h: RevenueHarness;
  let deps: RevenueDeps;
  const orgIds: string[] = [];
  beforeAll(async () => {
    h = await createRevenueHarness();
    deps = { ...h.deps, ruleSet: holdoutRuleSet };
    for (let i = 0; i < 40; i++) orgIds.push(await seedOrg(h, { tier: 1, balance: 10, days: 60, daily: fourTypes }));
  }, 180_000);
  afterAll(async () => h.close());

  const stateOf = async (orgId: string): Promise<RevenueAccountState> =>
    (await loadState(h.store, revenueStreamName(orgId), revenueFold)).state;

  it('assigns every new opportunity an arm and actions only the treated ones', async () => {
    const result = await new SweepFleetHandler(deps).execute(new SweepFleet({ actor: { kind: 'system', id: 'test' }, correlationId: 'c' }));
    await h.caughtUp(result.position);
    let control = 0;
    for (const orgId of orgIds) {
      const state = await stateOf(orgId);
      const opportunities = Object.values(state.opportunities);
      expect(opportunities.length).toBe(4);
      for (const o of opportunities) {
        expect(o.experiment?.experimentId).toBe(holdoutRuleSet.holdouts![o.type]!.experimentId);
        const actions = Object.values(state.actions).filter((a) => a.opportunityId === o.id);
        expect({ arm: o.experiment?.arm, actions: actions.length }).toEqual({
          arm: o.experiment?.arm,
          actions: o.experiment?.arm === 'control' ? 0 : 1,
        });
        if (o.experiment?.arm === 'control') control++;
      }
      expect(state.arms).toEqual(Object.fromEntries(opportunities.map((o) => [o.experiment!.experimentId, o.experiment!.arm])));
    }
    // 160 (org, play) pairs at 10 %: some of each (the ids are random, so not an exact count).
    expect(control).toBeGreaterThan(0);
    expect(control).toBeLessThan(80);
  });

  it('a second sweep changes nothing: the snapshot carries the arms the stream has', async () => {
    const before = await Promise.all(orgIds.map(stateOf));
    const again = await new SweepFleetHandler(deps).execute(new SweepFleet({ actor: { kind: 'system', id: 'test' }, correlationId: 'c2' }));
    expect(again.eventsAppended).toBe(0);
    expect(again.conflictsRetried).toBe(0);
    expect(await Promise.all(orgIds.map(stateOf))).toEqual(before);
  });
});

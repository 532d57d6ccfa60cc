import { describe, expect, it } from '@jest/globals';
import type { ObserveOutcomes } from '../commands.js';
import { InvalidCommandError, OpportunityNotFoundError } from '../errors.js';
import type { ExperimentArmAssigned, OpportunityRefreshed, OutcomeObserved } from '../events.js';
import { defaultRuleSet } from '../rules/rule-set.js';
import { daysAgo, ORG, opportunityDetected } from '../test-support/fixtures.js';
import { given, NOW, testContext } from '../test-support/given-when-then.js';
import type { Facts, OpportunityType } from '../types.js';
import { defaultObservationConfig as config, observeOutcome, tierPrice, type ObservationFacts } from './observe.js';

const facts = (over: Partial<ObservationFacts> = {}): ObservationFacts => ({
  windowStart: daysAgo(31),
  windowEnd: daysAgo(1),
  tierAtStart: 1,
  tierAtEnd: 1,
  textTokens: 0,
  voiceSeconds: 0,
  creditPurchases: 0,
  creditPurchaseAmount: 0,
  ...over,
});
const verdict = (type: OpportunityType, details: Facts, over: Partial<ObservationFacts>) =>
  observeOutcome({ type, baseline: details }, facts(over), config, defaultRuleSet);

describe('observed outcomes: one definition per play, at its boundaries', () => {
  it('upsell converts when the tier rose over the window, worth the price difference', () => {
    expect(verdict('upsell', { currentTier: 1 }, { tierAtStart: 1, tierAtEnd: 1 })).toMatchObject({ converted: false, realisedMrr: 0 });
    expect(verdict('upsell', { currentTier: 1 }, { tierAtStart: 1, tierAtEnd: 2 })).toMatchObject({ converted: true, realisedMrr: 15 });
    expect(verdict('upsell', { currentTier: 2 }, { tierAtStart: 2, tierAtEnd: 4 })).toMatchObject({ converted: true, realisedMrr: 30 });
    expect(verdict('upsell', { currentTier: 2 }, { tierAtStart: 2, tierAtEnd: 1 })).toMatchObject({ converted: false, realisedMrr: 0 });
    // No wallet and no tier history: the tier the rule saw, which cannot have risen.
    expect(verdict('upsell', { currentTier: 1 }, { tierAtStart: null, tierAtEnd: null })).toMatchObject({ converted: false });
  });

  it('cross-sell converts on the first voice second in the window, worth 10', () => {
    expect(verdict('cross_sell', {}, { voiceSeconds: 0, textTokens: 1e6 })).toMatchObject({ converted: false, realisedMrr: 0 });
    expect(verdict('cross_sell', {}, { voiceSeconds: 1 })).toMatchObject({ converted: true, realisedMrr: 10 });
  });

  it('feature expansion converts when the window keeps at least the volume that fired the rule, worth 5', () => {
    const details = { currentPeriod: 30_000 };
    expect(verdict('feature_expansion', details, { textTokens: 29_999 })).toMatchObject({ converted: false });
    expect(verdict('feature_expansion', details, { textTokens: 30_000 })).toMatchObject({ converted: true, realisedMrr: 5 });
    // Voice counts at 167 tokens a second: 29,833 + 1 x 167 = 30,000.
    expect(verdict('feature_expansion', details, { textTokens: 29_833, voiceSeconds: 1 })).toMatchObject({ converted: true });
  });

  it('retention converts when usage recovers to 80 % of its level before the decline, worth its tier price', () => {
    const details = { previousPeriod: 10_000, currentPeriod: 2_000 };
    expect(verdict('retention_intervention', details, { textTokens: 7_999, tierAtEnd: 3 })).toMatchObject({
      converted: false,
      realisedMrr: 0,
    });
    expect(verdict('retention_intervention', details, { textTokens: 8_000, tierAtEnd: 3 })).toMatchObject({
      converted: true,
      realisedMrr: 30,
    });
    // A tier-1 org retained is worth tier 1's price, 0: it converts and adds nothing.
    expect(verdict('retention_intervention', details, { textTokens: 9_000, tierAtEnd: 1 })).toMatchObject({
      converted: true,
      realisedMrr: 0,
    });
  });

  it('a credit offer converts on a purchase in the window, worth what was paid', () => {
    expect(verdict('credit_marketplace_offer', {}, { creditPurchases: 0 })).toMatchObject({ converted: false, realisedMrr: 0 });
    expect(verdict('credit_marketplace_offer', {}, { creditPurchases: 2, creditPurchaseAmount: 24.5 })).toMatchObject({
      converted: true,
      realisedMrr: 24.5,
    });
  });

  it('prices tiers from the list, a tier above it at the last price', () => {
    expect([1, 2, 3, 4, 9].map((t) => tierPrice(config, t))).toEqual([0, 15, 30, 45, 45]);
  });
});

describe('ObserveOutcomes', () => {
  const detected = opportunityDetected({ id: 'o1', type: 'cross_sell', at: daysAgo(31) });
  const assigned: ExperimentArmAssigned = {
    type: 'revenue.experiment-arm-assigned.v1',
    data: {
      orgId: ORG,
      opportunityId: 'o1',
      opportunityType: 'cross_sell',
      experimentId: 'cross-sell-holdout-1',
      arm: 'control',
      share: 0.1,
      ruleSetVersion: 'x',
      assignedAt: daysAgo(31),
    },
  };
  const observe = (f: ObservationFacts, opportunityId = 'o1'): ObserveOutcomes => ({
    kind: 'ObserveOutcomes',
    orgId: ORG,
    observations: [{ opportunityId, facts: f }],
  });
  const observed: OutcomeObserved = {
    type: 'revenue.outcome-observed.v1',
    data: {
      orgId: ORG,
      opportunityId: 'o1',
      opportunityType: 'cross_sell',
      experimentId: 'cross-sell-holdout-1',
      arm: 'control',
      windowStart: daysAgo(31),
      windowEnd: daysAgo(1),
      converted: true,
      realisedMrr: 10,
      evidence: { voiceSeconds: 60 },
      observedAt: NOW.toISOString(),
    },
  };

  it('records the verdict of a closed window with the arm, the window and the evidence; a control org converts too', () => {
    const state = given([detected, assigned])
      .when(observe(facts({ voiceSeconds: 60 })))
      .thenEvents([observed]);
    expect(state.opportunities['o1']!.observation).toEqual({ converted: true, realisedMrr: 10, observedAt: NOW.toISOString() });
  });

  it('observes once: a second observation of the same opportunity records nothing', () => {
    given([detected, assigned, observed])
      .when(observe(facts({ voiceSeconds: 0 })))
      .thenNothing();
  });

  it('refuses a window that is still open, at the boundary', () => {
    const young = opportunityDetected({ id: 'o2', type: 'cross_sell', at: daysAgo(30 - 1 / 86_400_000) });
    const window = {
      windowStart: young.data.detectedAt,
      windowEnd: new Date(Date.parse(young.data.detectedAt) + 30 * 86_400_000).toISOString(),
    };
    given([young])
      .when(observe(facts(window), 'o2'))
      .thenError(InvalidCommandError, 'invalid_command', /open until/);
    const exactly = opportunityDetected({ id: 'o3', type: 'cross_sell', at: daysAgo(30) });
    const closed = { windowStart: exactly.data.detectedAt, windowEnd: NOW.toISOString() };
    expect(
      given([exactly])
        .when(observe(facts(closed), 'o3'))
        .events(),
    ).toHaveLength(1);
  });

  it('refuses facts read for another window, an unknown opportunity, and malformed numbers', () => {
    given([detected])
      .when(observe(facts({ windowEnd: daysAgo(2) })))
      .thenError(InvalidCommandError, 'invalid_command', /the window is/);
    given([detected]).when(observe(facts(), 'nope')).thenError(OpportunityNotFoundError, 'opportunity_not_found');
    given([detected])
      .when(observe(facts({ voiceSeconds: -1 })))
      .thenError(InvalidCommandError, 'invalid_command', /voiceSeconds/);
    given([detected])
      .when(observe(facts({ tierAtEnd: 0 })))
      .thenError(InvalidCommandError, 'invalid_command', /tierAtEnd/);
    given([detected])
      .when({ kind: 'ObserveOutcomes', orgId: ORG, observations: [null as never] })
      .thenError(InvalidCommandError, 'invalid_command', /observations\[0\]/);
  });

  it('compares with the details as detected, not as refreshed since (the two arms are refreshed differently)', () => {
    const detected = opportunityDetected({
      id: 'r1',
      type: 'retention_intervention',
      at: daysAgo(31),
      details: { previousPeriod: 10_000 },
    });
    const { detectedAt: _detected, ...facts0 } = detected.data;
    const refreshed: OpportunityRefreshed = {
      type: 'revenue.opportunity-refreshed.v1',
      data: { ...facts0, details: { previousPeriod: 5_000 }, refreshedAt: daysAgo(20) },
    };
    const f = facts({ windowStart: detected.data.detectedAt, windowEnd: daysAgo(1), textTokens: 7_000 });
    const [event] = given([detected, refreshed]).when(observe(f, 'r1')).events();
    // 7,000 is 70 % of the 10,000 as detected (not converted), though 140 % of the refreshed 5,000.
    expect(event).toMatchObject({ data: { converted: false, evidence: { volumeBeforeDecline: 10_000 } } });
  });

  it('uses the configured window', () => {
    const week = { ...config, windowDays: 7 };
    const recent = opportunityDetected({ id: 'o4', type: 'cross_sell', at: daysAgo(8) });
    const f = facts({ windowStart: recent.data.detectedAt, windowEnd: daysAgo(1) });
    expect(
      given([recent])
        .when(observe(f, 'o4'), testContext({ observation: week }))
        .events(),
    ).toHaveLength(1);
  });
});

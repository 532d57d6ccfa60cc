import { describe, expect, it } from '@jest/globals';
import type { RecordDetections, TriggerActions } from '../commands.js';
import type { RevenueEvent } from '../events.js';
import type { Detection } from '../rules/detect.js';
import { defaultRuleSet, holdoutRuleSet, type RuleSet } from '../rules/rule-set.js';
import { opportunityClosed } from '../test-support/fixtures.js';
import { given, NOW, testContext } from '../test-support/given-when-then.js';
import { OPPORTUNITY_TYPES, type OpportunityType } from '../types.js';
import { assignmentFor, holdoutBucket } from './holdout.js';
import { initialState } from '../state.js';

const at = NOW.toISOString();
const upsellExperiment = holdoutRuleSet.holdouts!.upsell!.experimentId;
/** Org ids as the platform makes them: UUIDs, here derived from a counter so the spec is reproducible. */
const orgIdOf = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const firstOrg = (arm: 'control' | 'treatment', share = 0.1): string => {
  for (let n = 1; ; n++) if (holdoutBucket(orgIdOf(n), upsellExperiment) < share === (arm === 'control')) return orgIdOf(n);
};
const upsell = (ruleSet: RuleSet = holdoutRuleSet, confidence = 0.85): Detection => ({
  type: 'upsell',
  source: 'usage_analysis',
  confidence,
  details: { currentTier: 1 },
  evidence: {},
  ruleSetVersion: ruleSet.version,
});
const detect = (orgId: string, detections: Detection[]): RecordDetections => ({ kind: 'RecordDetections', orgId, detections });
const withRules = (ruleSet: RuleSet) => testContext({ ruleSet });

describe('holdout assignment', () => {
  it('puts about the configured share in control, on 100,000 synthetic orgs, per play and independently across plays', () => {
    const n = 100_000;
    const control = Object.fromEntries(OPPORTUNITY_TYPES.map((t) => [t, 0])) as Record<OpportunityType, number>;
    let bothUpsellAndCrossSell = 0;
    for (let i = 1; i <= n; i++) {
      const orgId = orgIdOf(i);
      const arms = OPPORTUNITY_TYPES.map((t) => assignmentFor({ ...initialState, orgId }, orgId, t, holdoutRuleSet)!.arm);
      OPPORTUNITY_TYPES.forEach((t, k) => (control[t] += arms[k] === 'control' ? 1 : 0));
      if (arms[0] === 'control' && arms[1] === 'control') bothUpsellAndCrossSell++;
    }
    // Binomial(100,000, 0.1): sd ~ 95; 5 sd is 0.475 points.
    for (const type of OPPORTUNITY_TYPES) expect(Math.abs(control[type] / n - 0.1)).toBeLessThan(0.005);
    // Independent plays: both held out ~ 0.1 x 0.1 = 1 % (sd ~ 31 of 1,000: within 0.2 points).
    expect(Math.abs(bothUpsellAndCrossSell / n - 0.01)).toBeLessThan(0.002);
  });

  it('depends only on the org and the experiment id: stable across rule set versions and calls', () => {
    const orgId = orgIdOf(42);
    const nextVersion: RuleSet = { ...holdoutRuleSet, version: '2026-12-02.1', upsell: { ...holdoutRuleSet.upsell, confidence: 0.8 } };
    const a = assignmentFor({ ...initialState, orgId }, orgId, 'upsell', holdoutRuleSet);
    const b = assignmentFor({ ...initialState, orgId }, orgId, 'upsell', nextVersion);
    expect(a).toEqual(b);
    expect(holdoutBucket(orgId, upsellExperiment)).toBe(holdoutBucket(orgId, upsellExperiment));
    expect(holdoutBucket(orgId, upsellExperiment)).not.toBe(holdoutBucket(orgId, 'another-experiment'));
  });

  it('assigns nothing under the specification rule set (holdout share 0): its behaviour is unchanged', () => {
    const orgId = firstOrg('control');
    const events = given([])
      .when(detect(orgId, [upsell(defaultRuleSet)]), withRules(defaultRuleSet))
      .events();
    expect(events.map((e) => e.type)).toEqual(['revenue.opportunity-detected.v1']);
    expect(
      assignmentFor({ ...initialState, orgId }, orgId, 'upsell', {
        ...holdoutRuleSet,
        holdouts: { upsell: { experimentId: 'x', share: 0 } },
      }),
    ).toBeNull();
  });

  it('records the arm right after a new opportunity, with the share and the experiment id', () => {
    const orgId = firstOrg('control');
    const events = given([])
      .when(detect(orgId, [upsell()]), testContext({ ruleSet: holdoutRuleSet, newId: (k) => `id:${k}` }))
      .events();
    expect(events.map((e) => e.type)).toEqual(['revenue.opportunity-detected.v1', 'revenue.experiment-arm-assigned.v1']);
    expect(events[1]).toEqual({
      type: 'revenue.experiment-arm-assigned.v1',
      data: {
        orgId,
        opportunityId: 'id:opportunity:upsell',
        opportunityType: 'upsell',
        experimentId: upsellExperiment,
        arm: 'control',
        share: 0.1,
        ruleSetVersion: holdoutRuleSet.version,
        assignedAt: at,
      },
    });
  });

  it('gives a held-out opportunity no action and reserves nothing; a treated one is actioned as before', () => {
    for (const arm of ['control', 'treatment'] as const) {
      const orgId = firstOrg(arm);
      const history = given([])
        .when(detect(orgId, [upsell()]), withRules(holdoutRuleSet))
        .events();
      const trigger: TriggerActions = { kind: 'TriggerActions', orgId, availableCredits: 1 };
      const proposed = given(history).when(trigger, withRules(holdoutRuleSet)).events();
      expect({ arm, proposed: proposed.map((e) => e.type) }).toEqual({
        arm,
        proposed: arm === 'control' ? [] : ['revenue.action-proposed.v1'],
      });
    }
  });

  it('keeps the org in its arm when the opportunity closes and is detected again, and when the share is raised later', () => {
    const orgId = firstOrg('treatment', 0.1);
    // An org in treatment at 10 % whose bucket would put it in control at 50 %.
    const movable = (() => {
      for (let n = 1; ; n++) {
        const b = holdoutBucket(orgIdOf(n), upsellExperiment);
        if (b >= 0.1 && b < 0.5) return orgIdOf(n);
      }
    })();
    for (const id of [orgId, movable]) {
      const ctx = testContext({ ruleSet: holdoutRuleSet, newId: (k) => `first:${k}` });
      const first = given([])
        .when(detect(id, [upsell()]), ctx)
        .events();
      const closed = opportunityClosed('first:opportunity:upsell', 'upsell', 'expired');
      const raised: RuleSet = {
        ...holdoutRuleSet,
        version: '2026-12-03.1',
        holdouts: { upsell: { experimentId: upsellExperiment, share: 0.5 } },
      };
      const again = given([...first, { ...closed, data: { ...closed.data, orgId: id } }])
        .when(detect(id, [upsell(raised)]), testContext({ ruleSet: raised, newId: (k) => `second:${k}` }))
        .events();
      const arms = [...first, ...again].flatMap((e: RevenueEvent) => (e.type === 'revenue.experiment-arm-assigned.v1' ? [e.data.arm] : []));
      expect(arms).toEqual(['treatment', 'treatment']);
    }
  });

  it('assigns again under a new experiment id: a deliberate new experiment re-draws the arms', () => {
    const renewed: RuleSet = { ...holdoutRuleSet, version: 'x.2', holdouts: { upsell: { experimentId: 'upsell-holdout-2', share: 0.1 } } };
    const moves = new Set<string>();
    for (let n = 1; n <= 500; n++) {
      const orgId = orgIdOf(n);
      const state = given(
        given([])
          .when(detect(orgId, [upsell()]), withRules(holdoutRuleSet))
          .events(),
      ).state;
      moves.add(`${assignmentFor(state, orgId, 'upsell', holdoutRuleSet)!.arm}->${assignmentFor(state, orgId, 'upsell', renewed)!.arm}`);
    }
    expect(moves).toContain('treatment->control');
    expect(moves).toContain('control->treatment');
  });
});

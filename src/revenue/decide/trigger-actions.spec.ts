import { describe, expect, it } from '@jest/globals';
import type { TriggerActions } from '../commands.js';
import { InvalidCommandError } from '../errors.js';
import type { ActionProposed, RevenueEvent } from '../events.js';
import { defaultRuleSet } from '../rules/rule-set.js';
import {
  actionApproved,
  actionProposed,
  actionSent,
  daysAgo,
  ORG,
  opportunityClosed,
  opportunityDetected,
} from '../test-support/fixtures.js';
import { given, NOW, testContext } from '../test-support/given-when-then.js';
import { decideTriggerActions } from './trigger-actions.js';
import type { OpportunityType } from '../types.js';

const at = NOW.toISOString();
const decide = (command: TriggerActions, state: Parameters<typeof decideTriggerActions>[1]) =>
  decideTriggerActions(command, state, testContext());
const trigger = (availableCredits: number): TriggerActions => ({ kind: 'TriggerActions', orgId: ORG, availableCredits });
const proposal = (opportunityId: string, type: OpportunityType, confidence: number): ActionProposed => ({
  type: 'revenue.action-proposed.v1',
  data: {
    orgId: ORG,
    actionId: `id:action:${opportunityId}`,
    opportunityId,
    opportunityType: type,
    actionType: defaultRuleSet.actions.byOpportunityType[type],
    confidence,
    creditsReserved: 0.02,
    ruleSetVersion: defaultRuleSet.version,
    proposedAt: at,
  },
});
const proposedIds = (events: RevenueEvent[]) =>
  events.flatMap((e) => (e.type === 'revenue.action-proposed.v1' ? [e.data.opportunityId] : []));
const upsell = opportunityDetected({ id: 'up', type: 'upsell', confidence: 0.85 });
const churn = opportunityDetected({ id: 'churn', type: 'retention_intervention', confidence: 0.9 });

describe('TriggerActions', () => {
  it('records a stop for credits once: the same stop again (same opportunity and credits) records nothing; changed credits do', () => {
    const first = decide(trigger(0.01), given([upsell]).state);
    expect(first.map((e) => e.type)).toEqual(['revenue.action-run-stopped.v1']);
    const afterStop = given([upsell, ...first]);
    afterStop.when(trigger(0.01)).thenNothing();
    expect(decide(trigger(0.015), afterStop.state).map((e) => e.type)).toEqual(['revenue.action-run-stopped.v1']);
    // A proposal clears it: a later stop is recorded again.
    const proposedThenStopped = given([upsell, ...first, proposal('up', 'upsell', 0.85)]);
    expect(proposedThenStopped.state.lastRunStop).toBeNull();
  });

  it('proposes the spec action per type, highest confidence first, reserving 0.02 credits each', () => {
    const state = given([upsell, churn])
      .when(trigger(1))
      .thenEvents([proposal('churn', 'retention_intervention', 0.9), proposal('up', 'upsell', 0.85)]);
    expect(state.creditsReserved).toBe(0.04);
    expect(state.opportunities['up']?.lastActionAt).toBe(at);
  });

  it('maps every opportunity type to its action', () => {
    const types: OpportunityType[] = ['upsell', 'cross_sell', 'feature_expansion', 'retention_intervention', 'credit_marketplace_offer'];
    const events = given(types.map((type) => opportunityDetected({ id: type, type, confidence: 0.8 })))
      .when(trigger(1))
      .events();
    expect(
      Object.fromEntries(events.map((e) => [(e as ActionProposed).data.opportunityType, (e as ActionProposed).data.actionType])),
    ).toEqual({
      upsell: 'offer_upgrade',
      cross_sell: 'send_email',
      feature_expansion: 'send_email',
      retention_intervention: 'voice_outreach',
      credit_marketplace_offer: 'trigger_client_journey_action',
    });
  });

  it.each([
    [0.7, true],
    [0.6999, false],
    [0.71, true],
  ])('confidence %d -> actioned: %s (minimum 0.7 inclusive)', (confidence, actioned) => {
    const events = given([opportunityDetected({ id: 'o', type: 'cross_sell', confidence })])
      .when(trigger(1))
      .events();
    expect(proposedIds(events)).toEqual(actioned ? ['o'] : []);
  });

  it('proposes at most maxPerRun actions, keeping the highest (default 5: all five types)', () => {
    const types: OpportunityType[] = ['upsell', 'cross_sell', 'feature_expansion', 'retention_intervention', 'credit_marketplace_offer'];
    const history = types.map((type, i) => opportunityDetected({ id: type, type, confidence: 0.7 + i / 100 }));
    expect(proposedIds(given(history).when(trigger(1)).events())).toHaveLength(5);
    const capOf = (maxPerRun: number) => testContext({ ruleSet: { ...defaultRuleSet, actions: { ...defaultRuleSet.actions, maxPerRun } } });
    expect(proposedIds(given(history).when(trigger(1), capOf(4)).events())).toEqual([
      'credit_marketplace_offer',
      'retention_intervention',
      'feature_expansion',
      'cross_sell',
    ]);
    expect(proposedIds(given(history.slice(0, 4)).when(trigger(1), capOf(4)).events())).toHaveLength(4);
    expect(proposedIds(given(history.slice(0, 3)).when(trigger(1), capOf(4)).events())).toHaveLength(3);
  });

  it('breaks confidence ties by the earlier detection, so replays decide alike', () => {
    const later = opportunityDetected({ id: 'b', type: 'upsell', confidence: 0.8, at: daysAgo(1) });
    const earlier = opportunityDetected({ id: 'a', type: 'cross_sell', confidence: 0.8, at: daysAgo(2) });
    expect(proposedIds(given([later, earlier]).when(trigger(1)).events())).toEqual(['a', 'b']);
  });

  describe('7-day window (the spec: performed_at >= now - 7 days is recent)', () => {
    const actionedAt = (at: string) => [
      upsell,
      actionProposed({ id: 'a1', opportunityId: 'up', at }),
      actionApproved('a1', 'up', at),
      actionSent('a1', 'up', 0.02, at),
    ];
    it.each([
      ['6.99 days ago', daysAgo(6.99), false],
      ['exactly 7 days ago', daysAgo(7), false],
      ['7 days and 1 ms ago', new Date(NOW.getTime() - 7 * 86_400_000 - 1).toISOString(), true],
    ])('last action %s -> actioned again: %s', (_label, lastAction, actioned) => {
      expect(proposedIds(given(actionedAt(lastAction)).when(trigger(1)).events())).toEqual(actioned ? ['up'] : []);
    });

    it('also skips an opportunity whose earlier action still waits for approval or dispatch', () => {
      const waiting = [upsell, actionProposed({ id: 'a1', opportunityId: 'up', at: daysAgo(20) })];
      given(waiting).when(trigger(1)).thenNothing();
      given([...waiting, actionApproved('a1', 'up', daysAgo(19))])
        .when(trigger(1))
        .thenNothing();
    });
  });

  describe('credits', () => {
    it('proposes when the credits are exactly enough', () => {
      expect(proposedIds(given([upsell]).when(trigger(0.02)).events())).toEqual(['up']);
    });

    it('stops the run with the numbers when one cent is missing', () => {
      given([upsell, churn])
        .when(trigger(0.01))
        .thenEvents([
          {
            type: 'revenue.action-run-stopped.v1',
            data: {
              orgId: ORG,
              why: 'insufficient_credits',
              opportunityId: 'churn',
              creditsAvailable: 0.01,
              creditsOutstanding: 0,
              creditsReservedThisRun: 0,
              creditsRequired: 0.02,
              actionsProposed: 0,
              stoppedAt: at,
            },
          },
        ]);
    });

    it('counts reservations already outstanding and those made earlier in the run', () => {
      const history = [
        upsell,
        churn,
        opportunityDetected({ id: 'x', type: 'cross_sell', confidence: 0.75 }),
        actionProposed({ id: 'a0', opportunityId: 'x', type: 'cross_sell' }),
      ];
      const events = given(history).when(trigger(0.05)).events();
      expect(proposedIds(events)).toEqual(['churn']);
      expect(events[1]).toMatchObject({
        type: 'revenue.action-run-stopped.v1',
        data: { opportunityId: 'up', creditsAvailable: 0.05, creditsOutstanding: 0.02, creditsReservedThisRun: 0.02, actionsProposed: 1 },
      });
    });

    it('reserves without float drift: 0.06 credits pay for exactly three 0.02 actions', () => {
      // In plain floats 0.06 - 0.02 - 0.02 is 0.019999999999999997: the third action would be refused.
      const types: OpportunityType[] = ['upsell', 'cross_sell', 'feature_expansion'];
      const state = given(types.map((type) => opportunityDetected({ id: type, type })))
        .when(trigger(0.06))
        .thenEvents(
          [...types].sort().map((type) => proposal(type, type, 0.8)), // equal confidence and detection time: by id
        );
      expect(state.creditsReserved).toBe(0.06);
    });

    it('stops at once when the available credits are negative', () => {
      expect(
        given([upsell])
          .when(trigger(-5))
          .events()
          .map((e) => e.type),
      ).toEqual(['revenue.action-run-stopped.v1']);
    });
  });

  it('ignores closed opportunities and records nothing when there is nothing to do, even without credits', () => {
    given([upsell, opportunityClosed('up', 'upsell', 'lost')])
      .when(trigger(0))
      .thenNothing();
    given([]).when(trigger(0)).thenNothing();
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number])('refuses availableCredits %p', (credits) => {
    given([upsell])
      .when(trigger(credits))
      .thenError(InvalidCommandError, 'invalid_command', /availableCredits/);
  });
});

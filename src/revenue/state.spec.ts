import { describe, expect, it } from '@jest/globals';
import type { RevenueEvent } from './events.js';
import { evolve, foldEvents, initialState } from './state.js';
import {
  actionApproved,
  actionExpired,
  actionProposed,
  actionRejected,
  actionSent,
  daysAgo,
  ORG,
  opportunityClosed,
  opportunityDetected,
} from './test-support/fixtures.js';

describe('evolve', () => {
  it('takes the org id from the first event and indexes the open opportunity by type', () => {
    const state = foldEvents([opportunityDetected({ id: 'o1', type: 'upsell', at: daysAgo(3) })]);
    expect(state.orgId).toBe(ORG);
    expect(state.openOpportunityByType).toEqual({ upsell: 'o1' });
    expect(state.opportunities['o1']).toMatchObject({ status: 'open', detectedAt: daysAgo(3), lastActionAt: null, closedAt: null });
  });

  it('closing removes the type from the open index, only for that opportunity', () => {
    const state = foldEvents([
      opportunityDetected({ id: 'o1', type: 'upsell' }),
      opportunityClosed('o1', 'upsell', 'lost'),
      opportunityDetected({ id: 'o2', type: 'upsell' }),
      opportunityClosed('o1', 'upsell', 'lost'), // a stray repeat must not hide o2
    ]);
    expect(state.openOpportunityByType).toEqual({ upsell: 'o2' });
    expect(state.opportunities['o1']?.status).toBe('lost');
  });

  it('tracks credits over every lifecycle path: reserved, released, charged', () => {
    const history: RevenueEvent[] = [
      opportunityDetected({ id: 'o1', type: 'upsell' }),
      actionProposed({ id: 'a1', opportunityId: 'o1', at: daysAgo(20) }),
      actionProposed({ id: 'a2', opportunityId: 'o1', at: daysAgo(19) }),
      actionProposed({ id: 'a3', opportunityId: 'o1', at: daysAgo(18) }),
      actionProposed({ id: 'a4', opportunityId: 'o1', at: daysAgo(17) }),
    ];
    const steps: Array<[RevenueEvent, number, number]> = [
      [actionApproved('a1', 'o1'), 0.08, 0],
      [actionSent('a1', 'o1'), 0.06, 0.02],
      [actionRejected('a2', 'o1'), 0.04, 0.02],
      [actionExpired('a3', 'o1'), 0.02, 0.02],
      [
        {
          type: 'revenue.action-failed.v1',
          data: { orgId: ORG, actionId: 'a4', opportunityId: 'o1', reason: 'x', creditsReleased: 0.02, failedAt: daysAgo(1) },
        },
        0,
        0.02,
      ],
    ];
    let state = foldEvents(history);
    expect(state.creditsReserved).toBe(0.08);
    for (const [event, reserved, charged] of steps) {
      state = evolve(state, event);
      expect([state.creditsReserved, state.creditsCharged]).toEqual([reserved, charged]);
    }
    expect(state.opportunities['o1']?.lastActionAt).toBe(daysAgo(17));
    expect(Object.values(state.actions).map((a) => a.status)).toEqual(['sent', 'rejected', 'expired', 'failed']);
  });

  it('sums fifty reservations of 0.02 to exactly 1', () => {
    const history = [
      opportunityDetected({ id: 'o1', type: 'upsell' }),
      ...Array.from({ length: 50 }, (_, i) => actionProposed({ id: `a${i}`, opportunityId: 'o1' })),
    ];
    expect(foldEvents(history).creditsReserved).toBe(1);
  });

  it('leaves state unchanged for events naming unknown entities (history is never refused)', () => {
    const state = foldEvents([opportunityDetected({ id: 'o1', type: 'upsell' })]);
    expect(evolve(state, actionApproved('ghost', 'o1'))).toBe(state);
    expect(evolve(state, actionProposed({ id: 'a1', opportunityId: 'ghost' }))).toBe(state);
    expect(evolve(state, opportunityClosed('ghost', 'upsell', 'lost'))).toBe(state);
    expect(evolve(state, { type: 'revenue.future-thing.v1', data: { orgId: 'org-1' } } as unknown as RevenueEvent)).toBe(state);
  });

  it('does not change the state it is given', () => {
    const before = foldEvents([opportunityDetected({ id: 'o1', type: 'upsell' })]);
    const snapshot = structuredClone(before);
    evolve(before, actionProposed({ id: 'a1', opportunityId: 'o1' }));
    expect(before).toEqual(snapshot);
    expect(initialState).toEqual({
      orgId: null,
      opportunities: {},
      openOpportunityByType: {},
      actions: {},
      creditsReserved: 0,
      creditsCharged: 0,
      lastRunStop: null,
      arms: {},
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import type { RecordActionOutcome } from '../commands.js';
import { InvalidCommandError, InvalidTransitionError } from '../errors.js';
import type { RevenueEvent } from '../events.js';
import {
  actionApproved,
  actionProposed,
  actionSent,
  daysAgo,
  ORG,
  opportunityClosed,
  opportunityDetected,
} from '../test-support/fixtures.js';
import { given, NOW } from '../test-support/given-when-then.js';

const at = NOW.toISOString();
const outcome = (value: 'accepted' | 'declined'): RecordActionOutcome => ({
  kind: 'RecordActionOutcome',
  orgId: ORG,
  actionId: 'a1',
  outcome: value,
});
const recorded = (value: 'accepted' | 'declined'): RevenueEvent => ({
  type: 'revenue.action-outcome-recorded.v1',
  data: { orgId: ORG, actionId: 'a1', opportunityId: 'o1', outcome: value, recordedAt: at },
});
const closed = (result: 'won' | 'lost', reason: string): RevenueEvent => ({
  type: 'revenue.opportunity-closed.v1',
  data: { orgId: ORG, opportunityId: 'o1', opportunityType: 'upsell', outcome: result, reason, actionId: 'a1', closedAt: at },
});
const sent = [
  opportunityDetected({ id: 'o1', type: 'upsell' }),
  actionProposed({ id: 'a1', opportunityId: 'o1' }),
  actionApproved('a1', 'o1'),
  actionSent('a1', 'o1'),
];

describe('RecordActionOutcome', () => {
  it('accepted: records it and closes the opportunity as won', () => {
    const state = given(sent)
      .when(outcome('accepted'))
      .thenEvents([recorded('accepted'), closed('won', 'action_accepted')]);
    expect(state.opportunities['o1']?.status).toBe('won');
    expect(state.openOpportunityByType.upsell).toBeUndefined();
  });

  it('declined: records it and closes the opportunity as lost', () => {
    given(sent)
      .when(outcome('declined'))
      .thenEvents([recorded('declined'), closed('lost', 'action_declined')]);
  });

  it('expires another action of that opportunity still waiting, releasing its credits', () => {
    const history = [...sent, actionProposed({ id: 'a2', opportunityId: 'o1', at: daysAgo(1) })];
    const state = given(history)
      .when(outcome('accepted'))
      .thenEvents([
        recorded('accepted'),
        {
          type: 'revenue.action-expired.v1',
          data: { orgId: ORG, actionId: 'a2', opportunityId: 'o1', reason: 'opportunity_won', creditsReleased: 0.02, expiredAt: at },
        },
        closed('won', 'action_accepted'),
      ]);
    expect(state.creditsReserved).toBe(0);
  });

  it('only records the outcome when the opportunity was closed meanwhile', () => {
    given([...sent, opportunityClosed('o1', 'upsell', 'superseded')])
      .when(outcome('accepted'))
      .thenEvents([recorded('accepted')]);
  });

  it('is a no-op for the same outcome again and refuses the other one', () => {
    given([...sent, recorded('accepted')])
      .when(outcome('accepted'))
      .thenNothing();
    given([...sent, recorded('accepted')])
      .when(outcome('declined'))
      .thenError(InvalidTransitionError, 'invalid_transition', 'from accepted to declined');
  });

  it('refuses an outcome for an action that was never sent', () => {
    given(sent.slice(0, 3))
      .when(outcome('accepted'))
      .thenError(InvalidTransitionError, 'invalid_transition', 'action a1 cannot go from approved to accepted');
  });

  it('refuses an unknown outcome', () => {
    given(sent)
      .when(outcome('maybe' as 'accepted'))
      .thenError(InvalidCommandError, 'invalid_command', /outcome/);
  });
});

import { describe, expect, it } from '@jest/globals';
import type { CloseOpportunity } from '../commands.js';
import { InvalidCommandError, OpportunityClosedError, OpportunityNotFoundError } from '../errors.js';
import type { RevenueEvent } from '../events.js';
import { actionApproved, actionProposed, actionSent, ORG, opportunityClosed, opportunityDetected } from '../test-support/fixtures.js';
import { given, NOW } from '../test-support/given-when-then.js';

const at = NOW.toISOString();
const close = (outcome: CloseOpportunity['outcome'], opportunityId = 'o1'): CloseOpportunity => ({
  kind: 'CloseOpportunity',
  orgId: ORG,
  opportunityId,
  outcome,
});
const open = [opportunityDetected({ id: 'o1', type: 'cross_sell' })];
const closed = (outcome: 'lost' | 'superseded' | 'expired'): RevenueEvent => ({
  type: 'revenue.opportunity-closed.v1',
  data: { orgId: ORG, opportunityId: 'o1', opportunityType: 'cross_sell', outcome, reason: outcome, actionId: null, closedAt: at },
});

describe('CloseOpportunity', () => {
  it.each(['lost', 'superseded', 'expired'] as const)('closes an open opportunity as %s', (outcome) => {
    const state = given(open)
      .when(close(outcome))
      .thenEvents([closed(outcome)]);
    expect(state.opportunities['o1']?.status).toBe(outcome);
    expect(state.openOpportunityByType.cross_sell).toBeUndefined();
  });

  it('expires its waiting actions first so their credits are released; a sent one stays', () => {
    const history = [
      ...open,
      actionProposed({ id: 'a1', opportunityId: 'o1', type: 'cross_sell' }),
      actionApproved('a1', 'o1'),
      actionProposed({ id: 'a2', opportunityId: 'o1', type: 'cross_sell' }),
      actionApproved('a2', 'o1'),
      actionSent('a2', 'o1'),
    ];
    const state = given(history)
      .when(close('superseded'))
      .thenEvents([
        {
          type: 'revenue.action-expired.v1',
          data: { orgId: ORG, actionId: 'a1', opportunityId: 'o1', reason: 'opportunity_superseded', creditsReleased: 0.02, expiredAt: at },
        },
        closed('superseded'),
      ]);
    expect(state).toMatchObject({ creditsReserved: 0, creditsCharged: 0.02 });
    expect(state.actions['a2']?.status).toBe('sent');
  });

  it('is a no-op when closed with the same outcome, refused with another', () => {
    given([...open, opportunityClosed('o1', 'cross_sell', 'lost')])
      .when(close('lost'))
      .thenNothing();
    given([...open, opportunityClosed('o1', 'cross_sell', 'won')])
      .when(close('expired'))
      .thenError(OpportunityClosedError, 'opportunity_closed', 'opportunity o1 is already closed (won)');
  });

  it('refuses won (only an accepted action wins) and an unknown opportunity', () => {
    given(open)
      .when(close('won' as 'lost'))
      .thenError(InvalidCommandError, 'invalid_command', /outcome/);
    given(open).when(close('lost', 'o9')).thenError(OpportunityNotFoundError, 'opportunity_not_found', 'opportunity o9 not found');
  });
});

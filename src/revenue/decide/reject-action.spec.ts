import { describe, expect, it } from '@jest/globals';
import type { RejectAction } from '../commands.js';
import { ActionNotFoundError, InvalidCommandError, InvalidTransitionError } from '../errors.js';
import { actionApproved, actionProposed, actionRejected, ORG, opportunityDetected } from '../test-support/fixtures.js';
import { given, NOW } from '../test-support/given-when-then.js';

const reject = (reason: unknown, actionId = 'a1') => ({ kind: 'RejectAction', orgId: ORG, actionId, reason }) as RejectAction;
const proposed = [opportunityDetected({ id: 'o1', type: 'upsell' }), actionProposed({ id: 'a1', opportunityId: 'o1', credits: 0.02 })];

describe('RejectAction', () => {
  it('rejects a proposed action with its trimmed reason and releases its reservation', () => {
    const state = given(proposed)
      .when(reject('  off-brand offer  '))
      .thenEvents([
        {
          type: 'revenue.action-rejected.v1',
          data: {
            orgId: ORG,
            actionId: 'a1',
            opportunityId: 'o1',
            reason: 'off-brand offer',
            creditsReleased: 0.02,
            rejectedAt: NOW.toISOString(),
          },
        },
      ]);
    expect(state.creditsReserved).toBe(0);
    expect(state.actions['a1']).toMatchObject({ status: 'rejected', creditsReserved: 0, creditsCharged: 0 });
  });

  it.each([undefined, '', '   ', 42, 'x'.repeat(501)])('requires a reason of 1-500 characters (%p refused)', (reason) => {
    given(proposed)
      .when(reject(reason))
      .thenError(InvalidCommandError, 'invalid_command', /reason/);
  });

  it('is a no-op when the action is already rejected (released once only)', () => {
    given([...proposed, actionRejected('a1', 'o1')])
      .when(reject('again'))
      .thenNothing();
  });

  it('refuses to reject an action MAOS already approved', () => {
    given([...proposed, actionApproved('a1', 'o1')])
      .when(reject('late'))
      .thenError(InvalidTransitionError, 'invalid_transition', 'action a1 cannot go from approved to rejected');
  });

  it('refuses an unknown action', () => {
    given(proposed).when(reject('why', 'a2')).thenError(ActionNotFoundError, 'action_not_found');
  });
});

import { describe, expect, it } from '@jest/globals';
import type { ExpireAction } from '../commands.js';
import { InvalidTransitionError } from '../errors.js';
import { actionApproved, actionExpired, actionProposed, actionSent, ORG, opportunityDetected } from '../test-support/fixtures.js';
import { given, NOW } from '../test-support/given-when-then.js';

const expire = (reason?: string): ExpireAction => ({
  kind: 'ExpireAction',
  orgId: ORG,
  actionId: 'a1',
  ...(reason === undefined ? {} : { reason }),
});
const proposed = [opportunityDetected({ id: 'o1', type: 'upsell' }), actionProposed({ id: 'a1', opportunityId: 'o1', credits: 0.02 })];
const expired = (reason: string) => ({
  type: 'revenue.action-expired.v1' as const,
  data: { orgId: ORG, actionId: 'a1', opportunityId: 'o1', reason, creditsReleased: 0.02, expiredAt: NOW.toISOString() },
});

describe('ExpireAction', () => {
  it('expires a proposed action and releases its reservation', () => {
    const state = given(proposed)
      .when(expire())
      .thenEvents([expired('timed_out')]);
    expect(state.creditsReserved).toBe(0);
  });

  it('expires an approved action that was never dispatched, with the given reason', () => {
    given([...proposed, actionApproved('a1', 'o1')])
      .when(expire('dispatcher down'))
      .thenEvents([expired('dispatcher down')]);
  });

  it('is a no-op for an action already expired', () => {
    given([...proposed, actionExpired('a1', 'o1')])
      .when(expire())
      .thenNothing();
  });

  it('refuses to expire a sent action: its credits are charged', () => {
    given([...proposed, actionApproved('a1', 'o1'), actionSent('a1', 'o1')])
      .when(expire())
      .thenError(InvalidTransitionError, 'invalid_transition', 'from sent to expired');
  });
});

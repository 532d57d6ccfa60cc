import { describe, expect, it } from '@jest/globals';
import type { ApproveAction } from '../commands.js';
import { ActionNotFoundError, InvalidCommandError, InvalidTransitionError } from '../errors.js';
import { decideApproveAction } from './approve-action.js';
import {
  actionApproved,
  actionExpired,
  actionProposed,
  actionRejected,
  actionSent,
  ORG,
  opportunityDetected,
} from '../test-support/fixtures.js';
import { given, NOW, testContext } from '../test-support/given-when-then.js';

const approve = (actionId = 'a1'): ApproveAction => ({ kind: 'ApproveAction', orgId: ORG, actionId });
const proposed = [opportunityDetected({ id: 'o1', type: 'upsell' }), actionProposed({ id: 'a1', opportunityId: 'o1' })];

describe('ApproveAction', () => {
  it('approves a proposed action', () => {
    const state = given(proposed)
      .when(approve())
      .thenEvents([
        { type: 'revenue.action-approved.v1', data: { orgId: ORG, actionId: 'a1', opportunityId: 'o1', approvedAt: NOW.toISOString() } },
      ]);
    expect(state.actions['a1']?.status).toBe('approved');
    expect(state.creditsReserved).toBe(0.02); // approval keeps the reservation until dispatch
  });

  it('queues the delivery in the same decision when the channel is one the engine delivers (webhook or log)', () => {
    for (const channelKind of ['webhook', 'log'] as const) {
      const state = given(proposed)
        .when(approve(), testContext({ channels: { offer_upgrade: channelKind } }))
        .thenEvents([
          { type: 'revenue.action-approved.v1', data: { orgId: ORG, actionId: 'a1', opportunityId: 'o1', approvedAt: NOW.toISOString() } },
          {
            type: 'revenue.action-delivery-queued.v1',
            data: {
              orgId: ORG,
              actionId: 'a1',
              opportunityId: 'o1',
              actionType: 'offer_upgrade',
              channelKind,
              queuedAt: NOW.toISOString(),
            },
          },
        ]);
      expect(state.actions['a1']?.deliveredBy).toBe('engine');
    }
  });

  it('an external channel (or none configured) leaves the delivery to MAOS', () => {
    for (const channels of [{ offer_upgrade: 'external' as const }, { send_email: 'webhook' as const }, undefined]) {
      const events = decideApproveAction(approve(), given(proposed).state, testContext(channels ? { channels } : {}));
      expect(events.map((e) => e.type)).toEqual(['revenue.action-approved.v1']);
    }
  });

  it('of 50 concurrent approvals one is recorded: every retry after it decides nothing', () => {
    const { state } = given(proposed);
    const first = decideApproveAction(approve(), state, testContext());
    const after = given([...proposed, ...first]);
    const retries = Array.from({ length: 49 }, () => decideApproveAction(approve(), after.state, testContext()));
    expect(first).toHaveLength(1);
    expect(retries.flat()).toEqual([]);
  });

  it('is a no-op once the action was approved, also after it went further', () => {
    given([...proposed, actionApproved('a1', 'o1')])
      .when(approve())
      .thenNothing();
    given([...proposed, actionApproved('a1', 'o1'), actionSent('a1', 'o1')])
      .when(approve())
      .thenNothing();
  });

  it.each([
    ['rejected', actionRejected('a1', 'o1')],
    ['expired', actionExpired('a1', 'o1')],
  ])('refuses to approve a %s action', (status, event) => {
    given([...proposed, event])
      .when(approve())
      .thenError(InvalidTransitionError, 'invalid_transition', `action a1 cannot go from ${status} to approved`);
  });

  it('refuses an unknown action and a blank id', () => {
    given(proposed).when(approve('nope')).thenError(ActionNotFoundError, 'action_not_found', 'action nope not found');
    given(proposed)
      .when(approve(' '))
      .thenError(InvalidCommandError, 'invalid_command', /actionId/);
  });
});

import { describe, expect, it } from '@jest/globals';
import type { RecordActionDispatch } from '../commands.js';
import { DeliveryOwnedElsewhereError, InvalidCommandError, InvalidTransitionError } from '../errors.js';
import type { RevenueEvent } from '../events.js';
import { actionApproved, actionProposed, actionSent, ORG, opportunityDetected } from '../test-support/fixtures.js';
import { given, NOW } from '../test-support/given-when-then.js';

const at = NOW.toISOString();
const sent: RecordActionDispatch = { kind: 'RecordActionDispatch', orgId: ORG, actionId: 'a1', result: 'sent' };
const failed: RecordActionDispatch = { kind: 'RecordActionDispatch', orgId: ORG, actionId: 'a1', result: 'failed', reason: 'smtp 550' };
const proposed = [opportunityDetected({ id: 'o1', type: 'upsell' }), actionProposed({ id: 'a1', opportunityId: 'o1', credits: 0.02 })];
const approved = [...proposed, actionApproved('a1', 'o1')];
const failedEvent: RevenueEvent = {
  type: 'revenue.action-failed.v1',
  data: { orgId: ORG, actionId: 'a1', opportunityId: 'o1', reason: 'smtp 550', creditsReleased: 0.02, failedAt: at },
};

describe('RecordActionDispatch', () => {
  it('charges the reserved credits when an approved action is sent', () => {
    const state = given(approved)
      .when(sent)
      .thenEvents([
        { type: 'revenue.action-sent.v1', data: { orgId: ORG, actionId: 'a1', opportunityId: 'o1', creditsCharged: 0.02, sentAt: at } },
      ]);
    expect(state).toMatchObject({ creditsReserved: 0, creditsCharged: 0.02 });
    expect(state.actions['a1']).toMatchObject({ status: 'sent', creditsReserved: 0, creditsCharged: 0.02 });
  });

  it('never charges twice: a repeated sent report is a no-op, also after the outcome', () => {
    given([...approved, actionSent('a1', 'o1')])
      .when(sent)
      .thenNothing();
    const accepted: RevenueEvent = {
      type: 'revenue.action-outcome-recorded.v1',
      data: { orgId: ORG, actionId: 'a1', opportunityId: 'o1', outcome: 'accepted', recordedAt: at },
    };
    given([...approved, actionSent('a1', 'o1'), accepted])
      .when(sent)
      .thenNothing();
  });

  it('refuses to send an action MAOS has not approved', () => {
    given(proposed).when(sent).thenError(InvalidTransitionError, 'invalid_transition', 'action a1 cannot go from proposed to sent');
  });

  it('releases the reservation when dispatch failed', () => {
    const state = given(approved).when(failed).thenEvents([failedEvent]);
    expect(state).toMatchObject({ creditsReserved: 0, creditsCharged: 0 });
  });

  it('is a no-op when the failure is reported again', () => {
    given([...approved, failedEvent])
      .when(failed)
      .thenNothing();
  });

  it('refuses contradicting reports: failed after sent, sent after failed', () => {
    given([...approved, actionSent('a1', 'o1')])
      .when(failed)
      .thenError(InvalidTransitionError, 'invalid_transition', 'from sent to failed');
    given([...approved, failedEvent])
      .when(sent)
      .thenError(InvalidTransitionError, 'invalid_transition', 'from failed to sent');
  });

  it('requires a reason for a failure and a known result', () => {
    given(approved)
      .when({ ...failed, reason: '' })
      .thenError(InvalidCommandError, 'invalid_command', /reason/);
    given(approved)
      .when({ ...sent, result: 'lost' as 'sent' })
      .thenError(InvalidCommandError, 'invalid_command', /result/);
  });

  describe('only the deliverer reports', () => {
    const queued: RevenueEvent = {
      type: 'revenue.action-delivery-queued.v1',
      data: { orgId: ORG, actionId: 'a1', opportunityId: 'o1', actionType: 'offer_upgrade', channelKind: 'webhook', queuedAt: at },
    };
    it("the engine's dispatcher records an action queued for delivery; MAOS is refused, also for a repeat", () => {
      given([...approved, queued])
        .when({ ...sent, reportedBy: 'engine' })
        .thenEvents([
          { type: 'revenue.action-sent.v1', data: { orgId: ORG, actionId: 'a1', opportunityId: 'o1', creditsCharged: 0.02, sentAt: at } },
        ]);
      given([...approved, queued])
        .when(sent)
        .thenError(DeliveryOwnedElsewhereError, 'delivery_owned_elsewhere', /delivered by the engine's channel/);
      given([...approved, queued, actionSent('a1', 'o1')])
        .when({ ...failed, reportedBy: 'external' })
        .thenError(DeliveryOwnedElsewhereError, 'delivery_owned_elsewhere');
    });
    it('the engine may not report an action MAOS delivers', () => {
      given(approved)
        .when({ ...sent, reportedBy: 'engine' })
        .thenError(DeliveryOwnedElsewhereError, 'delivery_owned_elsewhere', /delivered by an external dispatcher/);
    });
  });
});

import type { DecideContext, RejectAction } from '../commands.js';
import type { RevenueEvent } from '../events.js';
import type { RevenueAccountState } from '../state.js';
import { assertActionTransition, assertOrg, requireAction, requireText, timestamp } from './guards.js';

/** MAOS rejects a proposed action, with a reason; its reservation is released. A retry is a no-op. */
export function decideRejectAction(command: RejectAction, state: RevenueAccountState, context: DecideContext): RevenueEvent[] {
  const orgId = assertOrg(state, command.orgId);
  const reason = requireText('reason', command.reason);
  const action = requireAction(state, command.actionId);
  if (action.status === 'rejected') return [];
  assertActionTransition(action, 'rejected');
  return [
    {
      type: 'revenue.action-rejected.v1',
      data: {
        orgId,
        actionId: action.id,
        opportunityId: action.opportunityId,
        reason,
        creditsReleased: action.creditsReserved,
        rejectedAt: timestamp(context),
      },
    },
  ];
}

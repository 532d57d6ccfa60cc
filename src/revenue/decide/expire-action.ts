import type { DecideContext, ExpireAction } from '../commands.js';
import type { RevenueEvent } from '../events.js';
import type { RevenueAccountState } from '../state.js';
import { assertActionTransition, assertOrg, optionalText, requireAction, timestamp } from './guards.js';

/** An action left proposed or approved for too long (the scheduler decides when); releases its credits. */
export function decideExpireAction(command: ExpireAction, state: RevenueAccountState, context: DecideContext): RevenueEvent[] {
  const orgId = assertOrg(state, command.orgId);
  const reason = optionalText('reason', command.reason, 'timed_out');
  const action = requireAction(state, command.actionId);
  if (action.status === 'expired') return [];
  assertActionTransition(action, 'expired');
  return [
    {
      type: 'revenue.action-expired.v1',
      data: {
        orgId,
        actionId: action.id,
        opportunityId: action.opportunityId,
        reason,
        creditsReleased: action.creditsReserved,
        expiredAt: timestamp(context),
      },
    },
  ];
}

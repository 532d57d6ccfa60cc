import type { ApproveAction, DecideContext } from '../commands.js';
import type { RevenueEvent } from '../events.js';
import type { RevenueAccountState } from '../state.js';
import { assertActionTransition, assertOrg, requireAction, timestamp } from './guards.js';

/** MAOS approves a proposed action. A retry after the approval took effect is a no-op. */
export function decideApproveAction(command: ApproveAction, state: RevenueAccountState, context: DecideContext): RevenueEvent[] {
  const orgId = assertOrg(state, command.orgId);
  const action = requireAction(state, command.actionId);
  if (action.approvedAt !== null) return [];
  assertActionTransition(action, 'approved');
  return [
    {
      type: 'revenue.action-approved.v1',
      data: { orgId, actionId: action.id, opportunityId: action.opportunityId, approvedAt: timestamp(context) },
    },
  ];
}

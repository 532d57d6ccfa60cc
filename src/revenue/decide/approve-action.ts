import type { ApproveAction, DecideContext } from '../commands.js';
import type { RevenueEvent } from '../events.js';
import type { RevenueAccountState } from '../state.js';
import { assertActionTransition, assertOrg, requireAction, timestamp } from './guards.js';

/**
 * MAOS approves a proposed action. A retry after the approval took effect is a no-op. When the
 * action's channel is delivered by the engine, the outbox entry goes into the same append.
 */
export function decideApproveAction(command: ApproveAction, state: RevenueAccountState, context: DecideContext): RevenueEvent[] {
  const orgId = assertOrg(state, command.orgId);
  const action = requireAction(state, command.actionId);
  if (action.approvedAt !== null) return [];
  assertActionTransition(action, 'approved');
  const ref = { orgId, actionId: action.id, opportunityId: action.opportunityId };
  const at = timestamp(context);
  const channelKind = context.channels?.[action.actionType] ?? 'external';
  const approved: RevenueEvent = { type: 'revenue.action-approved.v1', data: { ...ref, approvedAt: at } };
  if (channelKind === 'external') return [approved];
  return [
    approved,
    { type: 'revenue.action-delivery-queued.v1', data: { ...ref, actionType: action.actionType, channelKind, queuedAt: at } },
  ];
}

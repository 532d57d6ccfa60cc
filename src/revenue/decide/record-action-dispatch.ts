import type { DecideContext, RecordActionDispatch } from '../commands.js';
import type { RevenueEvent } from '../events.js';
import type { RevenueAccountState } from '../state.js';
import { DeliveryOwnedElsewhereError } from '../errors.js';
import { assertActionTransition, assertOrg, requireAction, requireOneOf, requireText, timestamp } from './guards.js';

/**
 * The dispatcher reports an approved action as sent (its reservation becomes the charge) or failed
 * (its reservation is released). Reporting the same result again is a no-op, so credits are never
 * charged twice; reporting the other result afterwards is an invalid transition. Only the action's
 * deliverer reports: for an action the engine delivers, a report from MAOS is refused (and the
 * other way round), so exactly one of them records sent or failed.
 */
export function decideRecordActionDispatch(
  command: RecordActionDispatch,
  state: RevenueAccountState,
  context: DecideContext,
): RevenueEvent[] {
  const orgId = assertOrg(state, command.orgId);
  const result = requireOneOf('result', command.result, ['sent', 'failed'] as const);
  const action = requireAction(state, command.actionId);
  const reportedBy = requireOneOf('reportedBy', command.reportedBy ?? 'external', ['engine', 'external'] as const);
  if (reportedBy !== action.deliveredBy) throw new DeliveryOwnedElsewhereError(action.id, action.deliveredBy);
  const ref = { orgId, actionId: action.id, opportunityId: action.opportunityId };

  if (result === 'sent') {
    // Accepted and declined actions were sent before: the report is a late duplicate.
    if (action.status === 'sent' || action.status === 'accepted' || action.status === 'declined') return [];
    assertActionTransition(action, 'sent');
    return [{ type: 'revenue.action-sent.v1', data: { ...ref, creditsCharged: action.creditsReserved, sentAt: timestamp(context) } }];
  }
  const reason = requireText('reason', command.reason);
  if (action.status === 'failed') return [];
  assertActionTransition(action, 'failed');
  return [
    {
      type: 'revenue.action-failed.v1',
      data: { ...ref, reason, creditsReleased: action.creditsReserved, failedAt: timestamp(context) },
    },
  ];
}

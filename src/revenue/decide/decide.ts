import type { DecideContext, RevenueCommand } from '../commands.js';
import { InvalidCommandError } from '../errors.js';
import type { RevenueEvent } from '../events.js';
import type { RevenueAccountState } from '../state.js';
import { decideApproveAction } from './approve-action.js';
import { decideCloseOpportunity } from './close-opportunity.js';
import { decideExpireAction } from './expire-action.js';
import { decideObserveOutcomes } from './observe-outcomes.js';
import { decideRecordActionDispatch } from './record-action-dispatch.js';
import { decideRecordActionOutcome } from './record-action-outcome.js';
import { decideRecordDetections } from './record-detections.js';
import { decideRejectAction } from './reject-action.js';
import { decideTriggerActions } from './trigger-actions.js';

/** One entry point for the handlers: routes a command to its decide function. */
export function decide(command: RevenueCommand, state: RevenueAccountState, context: DecideContext): RevenueEvent[] {
  switch (command.kind) {
    case 'RecordDetections':
      return decideRecordDetections(command, state, context);
    case 'TriggerActions':
      return decideTriggerActions(command, state, context);
    case 'ApproveAction':
      return decideApproveAction(command, state, context);
    case 'RejectAction':
      return decideRejectAction(command, state, context);
    case 'RecordActionDispatch':
      return decideRecordActionDispatch(command, state, context);
    case 'RecordActionOutcome':
      return decideRecordActionOutcome(command, state, context);
    case 'ExpireAction':
      return decideExpireAction(command, state, context);
    case 'CloseOpportunity':
      return decideCloseOpportunity(command, state, context);
    case 'ObserveOutcomes':
      return decideObserveOutcomes(command, state, context);
    default:
      throw new InvalidCommandError('kind', `unknown command ${String((command as { kind?: unknown }).kind)}`);
  }
}

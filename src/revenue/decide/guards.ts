import type { DecideContext } from '../commands.js';
import { ActionNotFoundError, InvalidCommandError, InvalidTransitionError, OpportunityNotFoundError, OrgMismatchError } from '../errors.js';
import type { Action, Opportunity, RevenueAccountState } from '../state.js';
import type { ActionStatus } from '../types.js';

/** Checks shared by the deciders. Each throws a typed DomainError. */

/** Free text (a rejection or failure reason) is at most this many UTF-16 code units once trimmed. */
export const MAX_TEXT_LENGTH = 500;

/** The action lifecycle; anything not listed is refused. */
const ACTION_TRANSITIONS: Readonly<Record<ActionStatus, readonly ActionStatus[]>> = {
  proposed: ['approved', 'rejected', 'expired'],
  approved: ['sent', 'failed', 'expired'],
  sent: ['accepted', 'declined'],
  rejected: [],
  failed: [],
  accepted: [],
  declined: [],
  expired: [],
};

export function assertActionTransition(action: Action, to: ActionStatus): void {
  if (!ACTION_TRANSITIONS[action.status].includes(to)) throw new InvalidTransitionError('action', action.id, action.status, to);
}

export function assertOrg(state: RevenueAccountState, orgId: unknown): string {
  const id = requireId('orgId', orgId);
  if (state.orgId !== null && state.orgId !== id) throw new OrgMismatchError(state.orgId, id);
  return id;
}

export function requireId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidCommandError(field, 'must be a non-empty string');
  return value;
}

/** Free text such as a rejection reason: trimmed, non-empty, bounded. */
export function requireText(field: string, value: unknown): string {
  const problem = textProblem(value);
  if (problem !== undefined) throw new InvalidCommandError(field, problem);
  return (value as string).trim();
}

/**
 * Why `value` is not acceptable free text, or undefined: the one rule the API's DTOs apply too,
 * so what passes validation never fails here. Length is `.length` (UTF-16 code units) after
 * trimming: an emoji outside the BMP counts 2.
 */
export function textProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'is required';
  if (value.trim().length > MAX_TEXT_LENGTH) return `must be at most ${MAX_TEXT_LENGTH} characters`;
  return undefined;
}

export function optionalText(field: string, value: unknown, fallback: string): string {
  return value === undefined ? fallback : requireText(field, value);
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value))
    throw new InvalidCommandError(field, `must be one of ${allowed.join(', ')}, got ${String(value)}`);
  return value as T;
}

export function requireAction(state: RevenueAccountState, actionId: unknown): Action {
  const id = requireId('actionId', actionId);
  const action = state.actions[id];
  if (!action) throw new ActionNotFoundError(id);
  return action;
}

export function requireOpportunity(state: RevenueAccountState, opportunityId: unknown): Opportunity {
  const id = requireId('opportunityId', opportunityId);
  const opportunity = state.opportunities[id];
  if (!opportunity) throw new OpportunityNotFoundError(id);
  return opportunity;
}

/** The decision's timestamp: every event of one decision shares it. */
export function timestamp(context: DecideContext): string {
  if (!(context.now instanceof Date) || Number.isNaN(context.now.getTime()))
    throw new InvalidCommandError('context.now', 'must be a valid Date');
  return context.now.toISOString();
}

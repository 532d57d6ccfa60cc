import { describe, expect, it } from '@jest/globals';
import { DuplicateEventError, WrongExpectedRevisionError } from '#event-store';
import { UnknownOrganizationError } from '#revenue-commands';
import { ActionNotFoundError, InvalidCommandError, InvalidTransitionError, OpportunityClosedError } from '#revenue';
import { domainProblem, ifMatchFailure, isDecidedRefusal } from './domain-errors.js';
import { toProblem } from './to-problem.js';

describe('domainProblem', () => {
  it('maps each domain refusal to its status, type and code', () => {
    const cases: Array<[Error, number, string]> = [
      [new InvalidCommandError('reason', 'must not be empty'), 422, 'invalid-command'],
      [new ActionNotFoundError('a1'), 404, 'action-not-found'],
      [new InvalidTransitionError('action', 'a1', 'rejected', 'approved'), 409, 'invalid-transition'],
      [new OpportunityClosedError('o1', 'won'), 409, 'opportunity-closed'],
      [ifMatchFailure(new WrongExpectedRevisionError('revenue-org-x', '3', 5n)) as Error, 412, 'precondition-failed'],
      [new WrongExpectedRevisionError('revenue-org-x', '3', 5n), 409, 'write-conflict'],
      [new UnknownOrganizationError('x'), 404, 'org-not-found'],
      [new DuplicateEventError('e1', 'other content'), 422, 'idempotency-key-reused'],
    ];
    for (const [error, status, slug] of cases) {
      const problem = domainProblem(error);
      expect({ name: error.name, status: problem?.problemStatus, slug: problem?.slug }).toEqual({ name: error.name, status, slug });
    }
  });

  it('gives a detail a person can act on, and the current revision on a conflict', () => {
    expect(domainProblem(new InvalidTransitionError('action', 'a1', 'rejected', 'approved'))?.detail).toBe(
      'Action a1 cannot go from rejected to approved. Read the current state and send a command valid for it.',
    );
    expect(domainProblem(ifMatchFailure(new WrongExpectedRevisionError('s', '3', 5n)))?.extensions).toEqual({
      code: 'wrong_expected_revision',
      currentRevision: '5',
    });
  });

  it('stores a stale If-Match under the key, but not contention without one (a retry may get past it)', () => {
    expect(isDecidedRefusal(ifMatchFailure(new WrongExpectedRevisionError('s', '3', 5n)))).toBe(true);
    expect(isDecidedRefusal(new WrongExpectedRevisionError('s', '3', 5n))).toBe(false);
    expect(isDecidedRefusal(new InvalidTransitionError('action', 'a1', 'rejected', 'approved'))).toBe(true);
    expect(isDecidedRefusal(new Error('boom'))).toBe(false);
    expect(ifMatchFailure(new Error('boom'))).toBeInstanceOf(Error);
  });

  it('leaves other errors alone, and the platform filter uses the mapping', () => {
    expect(domainProblem(new Error('boom'))).toBeNull();
    const answer = toProblem(new ActionNotFoundError('a1'), { instance: '/x' });
    expect({ status: answer.status, type: answer.body.type, unexpected: answer.unexpected }).toEqual({
      status: 404,
      type: '/problems/action-not-found',
      unexpected: false,
    });
  });
});

import { DuplicateEventError, WrongExpectedRevisionError } from '#event-store';
import { UnknownOrganizationError } from '#revenue-commands';
import { DomainError, type DomainErrorCode } from '#revenue';
import { ProblemException } from './problem.js';

/** Status, problem type and title of each domain refusal: the one place the API decides them. */
const BY_CODE: Record<DomainErrorCode, { readonly status: number; readonly slug: string; readonly title: string; readonly hint: string }> =
  {
    invalid_command: { status: 422, slug: 'invalid-command', title: 'Invalid command', hint: 'Fix the request before retrying.' },
    org_mismatch: {
      status: 422,
      slug: 'org-mismatch',
      title: 'Organization mismatch',
      hint: 'Send the command for the organization that owns the entity.',
    },
    action_not_found: { status: 404, slug: 'action-not-found', title: 'Action not found', hint: 'Check the action id.' },
    opportunity_not_found: {
      status: 404,
      slug: 'opportunity-not-found',
      title: 'Opportunity not found',
      hint: 'Check the opportunity id.',
    },
    invalid_transition: {
      status: 409,
      slug: 'invalid-transition',
      title: 'Invalid transition',
      hint: 'Read the current state and send a command valid for it.',
    },
    delivery_owned_elsewhere: {
      status: 409,
      slug: 'delivery-owned-elsewhere',
      title: 'Delivered by another party',
      hint: 'Only the deliverer of the action reports its dispatch; read the action to see who that is.',
    },
    opportunity_closed: {
      status: 409,
      slug: 'opportunity-closed',
      title: 'Opportunity closed',
      hint: 'The opportunity no longer accepts this command.',
    },
  };

/**
 * A stale If-Match (RFC 9110 412): the command named the stream revision the client saw and the
 * stream has moved. Only the command pipeline knows a revision came from If-Match, so it wraps the
 * store's WrongExpectedRevisionError in this (ifMatchFailure); an unwrapped one is contention.
 */
export class PreconditionFailedError extends Error {
  constructor(readonly conflict: WrongExpectedRevisionError) {
    super(conflict.message);
    this.name = 'PreconditionFailedError';
  }
}

/** What a command that sent `expectedRevision` (from If-Match) throws: a revision conflict becomes a failed precondition. */
export function ifMatchFailure(error: unknown): unknown {
  return error instanceof WrongExpectedRevisionError ? new PreconditionFailedError(error) : error;
}

/**
 * A refusal the command decided (stored under its Idempotency-Key and replayed), as opposed to
 * contention without If-Match, which a retry may get past.
 */
export function isDecidedRefusal(error: unknown): boolean {
  return !(error instanceof WrongExpectedRevisionError) && domainProblem(error) !== null;
}

/**
 * Errors of the revenue domain and the event store as problem exceptions, or null for
 * anything else. Domain messages name ids and states only (no personal data), so they are
 * safe to show, and the hint says what the caller can do about it.
 */
export function domainProblem(error: unknown): ProblemException | null {
  if (error instanceof DomainError) {
    const mapped = BY_CODE[error.code];
    return new ProblemException(mapped.status, mapped.slug, mapped.title, `${capitalize(error.message)}. ${mapped.hint}`, {
      code: error.code,
    });
  }
  if (error instanceof PreconditionFailedError) {
    const { conflict } = error;
    const actual = conflict.actual === 'no_stream' ? 'it has no events' : `it is at revision ${conflict.actual}`;
    return new ProblemException(
      412,
      'precondition-failed',
      'Precondition failed',
      `If-Match expected revision ${conflict.expected} of the organization's stream, but ${actual}. Read the current state and retry with its revision.`,
      { code: 'wrong_expected_revision', currentRevision: conflict.actual === 'no_stream' ? null : conflict.actual.toString() },
    );
  }
  if (error instanceof WrongExpectedRevisionError) {
    // No If-Match: concurrent writers kept moving the stream through every re-decision (decideOnStream).
    return new ProblemException(
      409,
      'write-conflict',
      'Concurrent write conflict',
      "The organization's stream kept changing while the command was decided. Retry the command.",
      { code: 'write_contention' },
    );
  }
  if (error instanceof UnknownOrganizationError) {
    return new ProblemException(404, 'org-not-found', 'Organization not found', 'No organization matches the request.', {
      code: 'unknown_organization',
    });
  }
  if (error instanceof DuplicateEventError) {
    // Event ids derive from the Idempotency-Key: reusing an old key for another command collides.
    return new ProblemException(
      422,
      'idempotency-key-reused',
      'Idempotency-Key reused',
      'This Idempotency-Key was already used for a different command. Use a new key.',
      {
        code: 'duplicate_event',
      },
    );
  }
  return null;
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

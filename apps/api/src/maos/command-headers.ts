import { ProblemException } from '../errors/problem.js';

/** Printable tokens such as UUIDs or ULIDs; long enough for any client scheme, short enough to index. */
const KEY = /^[A-Za-z0-9._:~+/=-]{8,128}$/;
/** `"12"` (an ETag as the API sends it), `W/"12"` or a bare `12`. */
const REVISION = /^(?:W\/)?"?(\d{1,19})"?$/;
const MAX_REVISION = 2n ** 63n - 1n;

export interface CommandHeaders {
  readonly idempotencyKey: string;
  /** The org stream revision the client saw (If-Match); absent = no concurrency check. */
  readonly expectedRevision?: bigint;
}

const badHeader = (slug: string, title: string, detail: string) => new ProblemException(400, slug, title, detail);

/**
 * Every command needs an Idempotency-Key, so a retry after a timeout cannot act twice; If-Match
 * is optional. Malformed values are refused, never ignored: a client that thinks it sent a
 * precondition must not get an unconditional write.
 */
export function parseCommandHeaders(idempotencyKey: string | undefined, ifMatch: string | undefined): CommandHeaders | ProblemException {
  if (idempotencyKey === undefined || idempotencyKey.trim() === '') {
    return badHeader(
      'idempotency-key-required',
      'Idempotency-Key required',
      'Send an Idempotency-Key header (e.g. a new UUID per command; reuse it only to retry that command).',
    );
  }
  if (!KEY.test(idempotencyKey.trim())) {
    return badHeader(
      'invalid-idempotency-key',
      'Invalid Idempotency-Key',
      'Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 . _ : ~ + / = - (a UUID works).',
    );
  }
  const key = idempotencyKey.trim();
  if (ifMatch === undefined) return { idempotencyKey: key };
  const match = REVISION.exec(ifMatch.trim());
  const revision = match ? BigInt(match[1]!) : null;
  if (revision === null || revision > MAX_REVISION) {
    return badHeader(
      'invalid-if-match',
      'Invalid If-Match',
      'If-Match must be the organization stream revision the client saw, as sent in ETag or the approvals list (e.g. "12").',
    );
  }
  return { idempotencyKey: key, expectedRevision: revision };
}

/** ETag of a command response: the org stream revision after the command. */
export const revisionETag = (revision: string): string => `"${revision}"`;

import { ProblemException } from '../../errors/problem.js';

/** The MAOS commands' rule (apps/api/src/maos/command-headers.ts), so one key works for both APIs. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:~+/=-]{8,128}$/;
const INT8_MAX = 2n ** 63n - 1n;

/**
 * Idempotency-Key: optional for an analysis (repeating one is harmless, and the spec's clients
 * send none), refused when malformed. Same problem types as the MAOS command API.
 */
export function idempotencyKeyFrom(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = header.trim();
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ProblemException(
      400,
      'invalid-idempotency-key',
      'Invalid Idempotency-Key',
      'Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 . _ : ~ + / = - (a UUID works).',
    );
  }
  return key;
}

/**
 * If-Match: the org stream revision the caller saw (an ETag we sent `"<n>"`, `W/"<n>"` or a bare
 * `<n>`); `*` means no check. Malformed is refused, never ignored: a client that believes it sent
 * a precondition must not get an unconditional write.
 */
export function expectedRevisionFrom(header: string | undefined): bigint | undefined {
  const value = header?.trim();
  if (value === undefined || value === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,19})"?$/.exec(value);
  const revision = match ? BigInt(match[1]!) : null;
  if (revision === null || revision > INT8_MAX) {
    throw new ProblemException(
      400,
      'invalid-if-match',
      'Invalid If-Match',
      'If-Match must be the organization stream revision the client saw, as sent in ETag (e.g. "12").',
    );
  }
  return revision;
}

/** The ETag of an org stream revision (strong: the revision identifies the state exactly). */
export const etagOf = (revision: string): string => `"${revision}"`;

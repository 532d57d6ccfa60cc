import { problems } from '../errors/problem.js';

/** Printable tokens such as UUIDs or ULIDs; long enough for any client scheme, short enough to index. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:~+/=-]{8,128}$/;
/** The rule above in words, for the OpenAPI document. */
export const IDEMPOTENCY_KEY_FORMAT = '8 to 128 characters from A-Z a-z 0-9 . _ : ~ + / = - (surrounding spaces are trimmed).';
/** `"12"` (an ETag as the API sends it), `W/"12"` or a bare `12`. */
export const IF_MATCH_PATTERN = /^(?:W\/)?"?(\d{1,19})"?$/;
const MAX_REVISION = 2n ** 63n - 1n;

/**
 * Idempotency-Key: required on MAOS commands, so a retry after a timeout cannot act twice;
 * optional on an analysis (repeating one is harmless, and the spec's clients send none).
 * Malformed keys are refused, never ignored.
 */
export function idempotencyKeyFrom(header: string | undefined, required: boolean): string | undefined {
  if (header === undefined || header.trim() === '') {
    if (required) throw problems.idempotencyKeyRequired();
    if (header === undefined) return undefined;
  }
  const key = header.trim();
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) throw problems.invalidIdempotencyKey();
  return key;
}

/** What `If-Match: *` means on a route: no check (analyze), or a malformed value (commands that need a revision). */
export type IfMatchWildcard = 'no-check' | 'refused';

/**
 * If-Match: the org stream revision the client saw. Malformed values are refused, never
 * ignored: a client that thinks it sent a precondition must not get an unconditional write.
 */
export function expectedRevisionFrom(header: string | undefined, wildcard: IfMatchWildcard): bigint | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*' && wildcard === 'no-check') return undefined;
  const match = IF_MATCH_PATTERN.exec(value);
  const revision = match ? BigInt(match[1]!) : null;
  if (revision === null || revision > MAX_REVISION) throw problems.invalidIfMatch();
  return revision;
}

/** The ETag of an org stream revision (strong: the revision identifies the state exactly). */
export const revisionETag = (revision: string): string => `"${revision}"`;

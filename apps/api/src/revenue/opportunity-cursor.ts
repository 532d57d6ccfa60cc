import { problems } from '../platform/errors/problem.js';
import { isUuid } from '#database';

/** Where the next page starts: the (confidence, id) of the last row served (keyset pagination). */
export interface OpportunityCursor {
  readonly confidence: number;
  readonly id: string;
}

/** Opaque to clients (base64url of JSON) so the key may change without breaking their contract. */
export function encodeCursor(cursor: OpportunityCursor): string {
  return Buffer.from(JSON.stringify([cursor.confidence, cursor.id]), 'utf8').toString('base64url');
}

/** Anything not produced by encodeCursor is a 400 naming the `cursor` parameter. */
export function decodeCursor(text: string): OpportunityCursor {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]+$/.test(text) ? JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [confidence, id] = parsed as [unknown, unknown];
  if (typeof confidence !== 'number' || !Number.isFinite(confidence) || typeof id !== 'string' || !isUuid(id)) throw invalid();
  return { confidence, id: id.toLowerCase() };
}

const invalid = () => problems.validation([{ pointer: '#/cursor', detail: 'cursor must be a nextCursor value returned by this endpoint' }]);

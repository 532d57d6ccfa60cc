import type { OpportunityKeyset, OpportunitySort } from '#read-models';
import { problems } from '../platform/errors/problem.js';
import { isUuid } from '#database';

/** Where the next page starts: the sort key of the last row served, and the sort it belongs to (keyset pagination). */
export type OpportunityCursor = OpportunityKeyset;

/** ISO-8601 with microseconds, as PostgreSQL stores a timestamptz (the time sorts' key). */
const ISO_MICROS = /^(?:19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Opaque to clients (base64url of JSON) so the key may change without breaking their contract. */
export function encodeCursor(cursor: OpportunityCursor): string {
  const key = cursor.sort === 'confidence' ? cursor.confidence : cursor.createdAt;
  return Buffer.from(JSON.stringify([cursor.sort, key, cursor.id]), 'utf8').toString('base64url');
}

/**
 * Anything not produced by encodeCursor, or produced for another sort than `sort`, is a 400
 * naming the `cursor` parameter. The earlier untagged form `[confidence, id]` still continues a
 * confidence list.
 */
export function decodeCursor(text: string, sort: OpportunitySort = 'confidence'): OpportunityCursor {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]+$/.test(text) ? JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2) parsed = ['confidence', ...(parsed as unknown[])];
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [tag, key, id] = parsed as [unknown, unknown, unknown];
  if (typeof id !== 'string' || !isUuid(id)) throw invalid();
  if (tag !== 'confidence' && tag !== 'newest' && tag !== 'oldest') throw invalid();
  if (tag !== sort) throw otherSort(tag, sort);
  if (tag === 'confidence') {
    if (typeof key !== 'number' || !Number.isFinite(key)) throw invalid();
    return { sort: tag, confidence: key, id: id.toLowerCase() };
  }
  if (typeof key !== 'string' || !ISO_MICROS.test(key) || !isRealInstant(key)) throw invalid();
  return { sort: tag, createdAt: key, id: id.toLowerCase() };
}

/** Rejects 2026-02-30 and 25:00 (PostgreSQL would, with a 500): the instant must round-trip. */
function isRealInstant(iso: string): boolean {
  const ms = Date.parse(`${iso.slice(0, 23)}Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 23) === iso.slice(0, 23);
}

const invalid = () => problems.validation([{ pointer: '#/cursor', detail: 'cursor must be a nextCursor value returned by this endpoint' }]);
const otherSort = (cursorSort: string, sort: string) =>
  problems.validation([
    {
      pointer: '#/cursor',
      detail: `cursor continues the sort=${cursorSort} list, not sort=${sort}: send the same sort, or start without a cursor`,
    },
  ]);

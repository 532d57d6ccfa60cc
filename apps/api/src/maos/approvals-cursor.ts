import { ProblemException } from '../platform/errors/problem.js';
import { isUuid } from '#database';

/** Where the previous page ended, in the list's order (proposed at, then action id). */
export interface ApprovalsCursor {
  /** ISO-8601 with microseconds, as PostgreSQL stores it (ms would skip or repeat rows). */
  readonly proposedAt: string;
  readonly actionId: string;
}

const ISO_MICROS = /^(?:19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
/** Opaque to clients (base64url JSON), so its shape can change without breaking them. */
export function encodeCursor(cursor: ApprovalsCursor): string {
  return Buffer.from(JSON.stringify([cursor.proposedAt, cursor.actionId])).toString('base64url');
}

export function decodeCursor(text: string): ApprovalsCursor | ProblemException {
  const invalid = new ProblemException(
    400,
    'invalid-cursor',
    'Invalid cursor',
    'The cursor is not one this API returned; start again without it.',
  );
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return invalid;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return invalid;
  const [proposedAt, actionId] = parsed as unknown[];
  if (typeof proposedAt !== 'string' || !ISO_MICROS.test(proposedAt) || !isRealInstant(proposedAt)) return invalid;
  if (typeof actionId !== 'string' || !isUuid(actionId)) return invalid;
  return { proposedAt, actionId };
}

/** Rejects 2026-02-30 and 25:00 (PostgreSQL would, with a 500): the instant must round-trip. */
function isRealInstant(iso: string): boolean {
  const ms = Date.parse(`${iso.slice(0, 23)}Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 23) === iso.slice(0, 23);
}

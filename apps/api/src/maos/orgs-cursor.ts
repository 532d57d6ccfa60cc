import { isUuid } from '#database';
import { isStorableText } from '../platform/auth/org-name-search.js';
import { problems, type ProblemException } from '../platform/errors/problem.js';

/** Where the previous page of GET /api/maos/orgs ended: the last org served, in (name, id) order. */
export interface OrgsCursor {
  readonly name: string;
  readonly id: string;
}

/** Longest cursor accepted: a name of a few hundred characters still fits; beyond, start again. */
export const MAX_ORGS_CURSOR_LENGTH = 2048;

/** Opaque to clients (base64url of JSON), so the key may change without breaking them. */
export function encodeOrgsCursor(cursor: OrgsCursor): string {
  return Buffer.from(JSON.stringify(['orgs', cursor.name, cursor.id]), 'utf8').toString('base64url');
}

/** Anything encodeOrgsCursor did not produce is a 400 problem naming the `cursor` parameter. */
export function decodeOrgsCursor(text: string): OrgsCursor | ProblemException {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]+$/.test(text) ? JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return invalid();
  const [tag, name, id] = parsed as [unknown, unknown, unknown];
  // A name PostgreSQL cannot take (NUL, an unpaired surrogate) was never served.
  if (tag !== 'orgs' || typeof name !== 'string' || !isStorableText(name) || typeof id !== 'string' || !isUuid(id)) return invalid();
  return { name, id: id.toLowerCase() };
}

const invalid = () =>
  problems.validation([{ pointer: '#/cursor', detail: 'cursor must be a nextCursor value returned by GET /api/maos/orgs' }]);

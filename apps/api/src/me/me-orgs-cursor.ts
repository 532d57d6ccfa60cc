import { isUuid } from '#database';
import { problems, type ProblemException } from '../platform/errors/problem.js';

/** Where the previous page of /api/me/orgs ended: the last org id served (the list is in org id order). */
export interface MeOrgsCursor {
  readonly afterOrgId: string;
}

/** Opaque to clients (base64url of JSON), so the key may change without breaking them. */
export function encodeMeOrgsCursor(cursor: MeOrgsCursor): string {
  return Buffer.from(JSON.stringify(['org', cursor.afterOrgId]), 'utf8').toString('base64url');
}

/** Anything encodeMeOrgsCursor did not produce is a 400 problem naming the `cursor` parameter. */
export function decodeMeOrgsCursor(text: string): MeOrgsCursor | ProblemException {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]{1,200}$/.test(text) ? JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return invalid();
  const [tag, orgId] = parsed as [unknown, unknown];
  if (tag !== 'org' || typeof orgId !== 'string' || !isUuid(orgId)) return invalid();
  return { afterOrgId: orgId.toLowerCase() };
}

const invalid = () =>
  problems.validation([{ pointer: '#/cursor', detail: 'cursor must be a nextCursor value returned by GET /api/me/orgs' }]);

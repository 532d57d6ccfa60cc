import { InvalidCommandError } from './errors.js';

/** One stream per org holds all its revenue events: the org is the consistency boundary. */
const PREFIX = 'revenue-org-';

export function revenueStreamName(orgId: string): string {
  if (typeof orgId !== 'string' || orgId.trim() === '') throw new InvalidCommandError('orgId', 'must be a non-empty string');
  return `${PREFIX}${orgId}`;
}

/** The org id of a revenue stream name, or null for any other stream. */
export function orgIdFromStreamName(streamName: string): string | null {
  return streamName.startsWith(PREFIX) && streamName.length > PREFIX.length ? streamName.slice(PREFIX.length) : null;
}

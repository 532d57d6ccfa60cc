import { EventStoreDBClient } from '@eventstore/db-client';

/** The connection string could not be parsed. Its message never contains the credentials. */
export class InvalidConnectionStringError extends Error {
  override readonly name = 'InvalidConnectionStringError';
}

/** What may be shown about a connection: the address without credentials, and the secrets to scrub from any text. */
export interface ConnectionTarget {
  readonly display: string;
  readonly secrets: readonly string[];
}

const USER_INFO = /^((?:[a-z][a-z0-9+.-]*:\/\/)?)([^@/?#]*)@/i;

export function describeTarget(connectionString: string): ConnectionTarget {
  const userInfo = USER_INFO.exec(connectionString)?.[2];
  const display = connectionString.replace(USER_INFO, '$1');
  if (!userInfo) return { display, secrets: [] };
  // Scrub the whole user-info and its password part, raw and URL-decoded, wherever a library echoes them.
  const password = userInfo.includes(':') ? userInfo.slice(userInfo.indexOf(':') + 1) : '';
  const candidates = [userInfo, password, safeDecode(userInfo), safeDecode(password)];
  return { display, secrets: [...new Set(candidates.filter((s) => s.length > 0))] };
}

export function scrub(text: string, target: ConnectionTarget): string {
  return target.secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

/** Parses the string (no network I/O: the client connects on first use). */
export function createClient(connectionString: string, target: ConnectionTarget): EventStoreDBClient {
  try {
    return EventStoreDBClient.connectionString(connectionString);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // No `cause`: the parser's error may carry the raw string, password included.
    throw new InvalidConnectionStringError(`invalid EventStoreDB connection string ${target.display}: ${scrub(reason, target)}`);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

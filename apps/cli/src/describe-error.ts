/** One line for the operator about why a command failed at run time: no stack trace (DEBUG=1 adds it), no credentials. */

type ErrorLike = Error & { code?: unknown; address?: unknown; port?: unknown; severity?: unknown; errors?: unknown };

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The error and everything it wraps (`cause`, AggregateError's `errors`), outermost first. */
function* chain(error: unknown, depth = 0): Generator<ErrorLike> {
  if (!(error instanceof Error) || depth > 8) return;
  const e = error as ErrorLike;
  yield e;
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
  yield* chain(e.cause, depth + 1);
}

/** Failures the engine names itself: their message says it all. */
const EXPECTED = new Set([
  'CliFailure',
  'UnknownOrganizationError',
  'ProjectionHaltedError',
  'ProjectionTimeoutError',
  'EventStoreUnavailableError',
  'InvalidCommandError',
]);

/** True when the message is the whole story (no "set DEBUG=1" hint needed). */
export function isExpectedFailure(error: unknown): boolean {
  return [...chain(error)].some(
    (e) => EXPECTED.has(e.name) || (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || typeof e.severity === 'string')),
  );
}

export function describeFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'CliFailure') return error.message;
  const errors = [...chain(error)];
  const network = errors.find((e) => typeof e.code === 'string' && NETWORK_CODES.has(e.code));
  if (network) {
    const where =
      typeof network.address === 'string' ? ` ${network.address}${typeof network.port === 'number' ? `:${network.port}` : ''}` : '';
    return `cannot reach the database (${String(network.code)}${where}): is PostgreSQL running, and are DATABASE_URL / EVENTSTORE_URL right?`;
  }
  // PostgreSQL's own errors carry a SQLSTATE and a severity.
  const postgres = errors.find((e) => typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string');
  if (postgres) {
    if (postgres.code === '28P01' || postgres.code === '28000') return `the database refused the login: ${postgres.message}`;
    return `database error ${String(postgres.code)}: ${postgres.message}`;
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export function debugDetails(error: unknown): string {
  return [...chain(error)].map((e, i) => `${i === 0 ? '' : 'caused by: '}${e.stack ?? `${e.name}: ${e.message}`}`).join('\n');
}

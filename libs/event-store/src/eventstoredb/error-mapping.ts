import {
  AccessDeniedError,
  CancelledError,
  convertToCommandError,
  DeadlineExceededError,
  NotLeaderError,
  StreamDeletedError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, StreamNotFoundError, WrongExpectedRevisionError } from '../errors.js';
import type { ExpectedRevision } from '../event-store.port.js';
import { scrub, type ConnectionTarget } from './connection.js';

export interface ErrorContext {
  readonly target: ConnectionTarget;
  readonly streamName?: string;
  /** What the caller asked for: the client does not always echo it back (batch appends report 'any'). */
  readonly expected?: ExpectedRevision;
}

const GRPC_UNAUTHENTICATED = 16;

/**
 * Maps the client's failures onto the port's typed errors. The client is inconsistent: streaming
 * reads reject with its own UnavailableError, but an append whose server-feature probe fails
 * rejects with the raw gRPC ServiceError (code 14), so everything goes through convertToCommandError first.
 */
export function toPortError(error: unknown, context: ErrorContext): Error {
  if (!(error instanceof Error)) return new Error(scrub(String(error), context.target));
  const converted = convertToCommandError(error);
  if (converted instanceof WrongExpectedVersionError) {
    const expected = context.expected ?? converted.expectedVersion;
    return new WrongExpectedRevisionError(context.streamName ?? converted.streamName, String(expected), converted.actualVersion);
  }
  if (converted instanceof EsdbStreamNotFoundError || converted instanceof StreamDeletedError) {
    return new StreamNotFoundError(context.streamName ?? converted.streamName);
  }
  const reason = connectionFailure(converted);
  if (reason === null) return converted;
  const detail = scrub(converted.message, context.target);
  return new EventStoreUnavailableError(`EventStoreDB at ${context.target.display} ${reason}: ${detail}`, { cause: converted });
}

/** Null when the failure is about the request, not about reaching a usable server. */
function connectionFailure(error: Error): string | null {
  if (error instanceof UnavailableError) return 'is unreachable';
  if (error instanceof DeadlineExceededError) return 'did not answer in time';
  if (error instanceof NotLeaderError) return 'is not the leader node';
  // Server-side cancellation (node shutting down); client-side cancellations never reach here.
  if (error instanceof CancelledError) return 'cancelled the call';
  // UNAUTHENTICATED = bad credentials for the whole connection; a stream ACL denial is a request error.
  if (error instanceof AccessDeniedError && error.code === GRPC_UNAUTHENTICATED) return 'rejected the credentials';
  // Cluster discovery (esdb+discover://) gives up with a plain Error.
  if (/^Failed to discover after \d+ attempts/.test(error.message)) return 'could not be discovered';
  return null;
}

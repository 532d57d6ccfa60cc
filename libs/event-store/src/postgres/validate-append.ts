import { DuplicateEventError } from '../errors.js';
import type { ExpectedRevision, NewEvent, StreamAppend } from '../event-store.port.js';
import { isUuid } from '#database';

/** An append the store refuses before touching the database (caller bug, not a conflict). */
export class InvalidAppendError extends Error {
  override readonly name = 'InvalidAppendError';
  constructor(
    readonly streamName: string,
    detail: string,
  ) {
    super(`append to stream ${JSON.stringify(streamName)}: ${detail}`);
  }
}

/** An event as the SQL statement binds it: JSON already serialised, once. */
export interface SerializedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

export interface ValidAppend extends StreamAppend {
  readonly serialized: readonly SerializedEvent[];
}

// A `\u0000` escape preceded by an even number of backslashes (an escaped backslash is not NUL).
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;
/**
 * Checks a whole appendMany call and serialises its events. Throws InvalidAppendError for
 * malformed input, DuplicateEventError when one event id is sent to two different streams.
 */
export function validateAppends(batch: readonly StreamAppend[]): ValidAppend[] {
  const streamOfId = new Map<string, string>();
  return batch.map((entry) => {
    const { streamName, events, expectedRevision } = entry;
    if (typeof streamName !== 'string' || streamName.length === 0) {
      throw new InvalidAppendError(String(streamName), 'stream name must be a non-empty string');
    }
    // PostgreSQL text cannot hold NUL; say so here rather than with a driver error.
    if (streamName.includes('\u0000')) throw new InvalidAppendError(streamName, 'stream name contains a NUL character');
    checkExpectedRevision(streamName, expectedRevision);
    if (!Array.isArray(events) || events.length === 0) throw new InvalidAppendError(streamName, 'at least one event is required');
    const serialized = events.map((event, index) => serializeEvent(streamName, event, `event #${index}`));
    claimIds(streamName, serialized, streamOfId);
    return { ...entry, serialized };
  });
}

function serializeEvent(streamName: string, event: NewEvent, at: string): SerializedEvent {
  if (typeof event?.type !== 'string' || event.type.length === 0) {
    throw new InvalidAppendError(streamName, `${at}: type must be a non-empty string`);
  }
  if (event.type.includes('\u0000')) throw new InvalidAppendError(streamName, `${at}: type contains a NUL character`);
  const eventId = event.metadata?.eventId;
  if (typeof eventId !== 'string' || !isUuid(eventId)) throw new InvalidAppendError(streamName, `${at}: metadata.eventId must be a UUID`);
  return {
    eventId: eventId.toLowerCase(),
    type: event.type,
    data: toJson(streamName, `${at}: data`, event.data),
    metadata: toJson(streamName, `${at}: metadata`, event.metadata),
  };
}

/** An id twice in one append is a bug; in two streams of one call, a duplicate. */
function claimIds(streamName: string, events: readonly SerializedEvent[], streamOfId: Map<string, string>): void {
  const inEntry = new Set<string>();
  for (const { eventId } of events) {
    if (inEntry.has(eventId)) throw new InvalidAppendError(streamName, `event id ${eventId} appears twice`);
    inEntry.add(eventId);
    const other = streamOfId.get(eventId);
    if (other !== undefined && other !== streamName)
      throw new DuplicateEventError(eventId, `sent to streams ${other} and ${streamName} in one call`);
    streamOfId.set(eventId, streamName);
  }
}

function checkExpectedRevision(streamName: string, expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected !== 'bigint')
    throw new InvalidAppendError(
      streamName,
      `expected revision must be a bigint or 'any' | 'no_stream' | 'stream_exists', got ${String(expected)}`,
    );
  if (expected < 0n) throw new InvalidAppendError(streamName, `expected revision must be >= 0, got ${expected}`);
}

function toJson(streamName: string, what: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new InvalidAppendError(streamName, `${what} is not JSON-serialisable (${(error as Error).message})`);
  }
  if (json === undefined) throw new InvalidAppendError(streamName, `${what} is not JSON-serialisable`);
  // jsonb rejects the NUL character; say so here rather than with a driver error.
  if (json.includes('\\u0000') && NUL_ESCAPE.test(json))
    throw new InvalidAppendError(streamName, `${what} contains a NUL character, which jsonb cannot store`);
  return json;
}

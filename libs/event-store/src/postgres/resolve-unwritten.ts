import { DuplicateEventError, WrongExpectedRevisionError } from '../errors.js';
import type { AppendResult, ExpectedRevision, LogPosition } from '../event-store.port.js';
import type { ValidAppend } from './validate-append.js';

/** A stored event found by the id of an event that was about to be appended. */
export interface StoredEventRef {
  readonly streamName: string;
  readonly streamRevision: bigint;
  readonly type: string;
  /** Stored data equals the data sent now (compared as jsonb, so key order does not matter). */
  readonly sameData: boolean;
  readonly position: LogPosition;
}

export type Resolution =
  | { readonly kind: 'retried'; readonly result: AppendResult }
  | { readonly kind: 'duplicate'; readonly error: DuplicateEventError }
  | { readonly kind: 'conflict'; readonly error: WrongExpectedRevisionError }
  /** Nothing explains the refusal any more (a concurrent change undid it): append again. */
  | { readonly kind: 'again' };

/**
 * Decides what an append the statement did not write means, from what is stored now: a retry
 * of an append that already succeeded (same ids, same stream, same place, same content: the
 * first result again), a misuse of existing ids, or an optimistic-concurrency conflict.
 */
export function resolveUnwritten(
  entry: ValidAppend,
  stored: ReadonlyMap<string, StoredEventRef>,
  actual: bigint | 'no_stream',
): Resolution {
  const refs = entry.serialized.map((event) => stored.get(event.eventId));
  if (refs.every((ref) => ref === undefined)) {
    return satisfies(entry.expectedRevision, actual)
      ? { kind: 'again' }
      : { kind: 'conflict', error: new WrongExpectedRevisionError(entry.streamName, formatExpected(entry.expectedRevision), actual) };
  }
  const duplicate = (eventId: string, detail: string): Resolution => ({
    kind: 'duplicate',
    error: new DuplicateEventError(eventId, detail),
  });
  const partial = (): Resolution => duplicate(firstStoredId(entry, refs), 'only some events of this append were stored before');
  const first = refs[0];
  if (first === undefined) return partial();
  for (const [index, event] of entry.serialized.entries()) {
    const ref = refs[index];
    if (ref === undefined) return partial();
    if (ref.streamName !== entry.streamName) return duplicate(event.eventId, `stored in stream ${ref.streamName}`);
    if (ref.streamRevision !== first.streamRevision + BigInt(index))
      return duplicate(event.eventId, 'stored before in another order or with other events');
    if (ref.type !== event.type || !ref.sameData) return duplicate(event.eventId, 'stored before with another type or data');
  }
  if (!retryFits(entry.expectedRevision, first.streamRevision)) {
    return duplicate(
      entry.serialized[0]!.eventId,
      `stored at revision ${first.streamRevision}, not where expected revision ${formatExpected(entry.expectedRevision)} puts it`,
    );
  }
  const last = refs[refs.length - 1]!;
  return { kind: 'retried', result: { nextExpectedRevision: last.streamRevision, position: last.position } };
}

export function formatExpected(expected: ExpectedRevision): string {
  return typeof expected === 'bigint' ? expected.toString() : expected;
}

export function satisfies(expected: ExpectedRevision, actual: bigint | 'no_stream'): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 'no_stream';
  if (expected === 'stream_exists') return actual !== 'no_stream';
  return actual === expected;
}

/** A retry is only the same append if its events sit where its expectation put them. */
function retryFits(expected: ExpectedRevision, firstRevision: bigint): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return firstRevision === 0n;
  if (expected === 'stream_exists') return firstRevision > 0n;
  return firstRevision === expected + 1n;
}

function firstStoredId(entry: ValidAppend, refs: ReadonlyArray<StoredEventRef | undefined>): string {
  const index = refs.findIndex((ref) => ref !== undefined);
  return entry.serialized[index]!.eventId;
}

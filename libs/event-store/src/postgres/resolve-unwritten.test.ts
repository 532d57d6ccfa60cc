import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DuplicateEventError, WrongExpectedRevisionError } from '../errors.js';
import type { ExpectedRevision } from '../event-store.port.js';
import { resolveUnwritten, type StoredEventRef } from './resolve-unwritten.js';
import { validateAppends, type ValidAppend } from './validate-append.js';

function entry(expectedRevision: ExpectedRevision, count = 2): ValidAppend {
  const events = Array.from({ length: count }, () => ({
    type: 't.v1',
    data: {},
    metadata: {
      eventId: randomUUID(),
      correlationId: 'c',
      causationId: null,
      actor: { kind: 'system' as const, id: 's' },
      occurredAt: '2024-01-01T00:00:00.000Z',
    },
  }));
  return validateAppends([{ streamName: 'orders-1', events, expectedRevision }])[0]!;
}

/** The entry's events as stored from `firstRevision` on, optionally altered. */
function storedAs(
  e: ValidAppend,
  firstRevision: bigint,
  alter: (ref: StoredEventRef, i: number) => StoredEventRef = (r) => r,
): Map<string, StoredEventRef> {
  return new Map(
    e.serialized.map((event, i) => [
      event.eventId,
      alter(
        {
          streamName: e.streamName,
          streamRevision: firstRevision + BigInt(i),
          type: event.type,
          sameData: true,
          position: { commit: 7n, prepare: 40n + BigInt(i) },
        },
        i,
      ),
    ]),
  );
}

describe('resolveUnwritten', () => {
  it('recognises a retry and returns the first result', () => {
    const e = entry(2n);
    expect(resolveUnwritten(e, storedAs(e, 3n), 4n)).toEqual({
      kind: 'retried',
      result: { nextExpectedRevision: 4n, position: { commit: 7n, prepare: 41n } },
    });
    const created = entry('no_stream');
    expect(resolveUnwritten(created, storedAs(created, 0n), 9n).kind).toBe('retried');
  });

  it('reports a conflict with the actual revision when none of the ids is stored', () => {
    const resolution = resolveUnwritten(entry(2n), new Map(), 5n);
    expect(resolution.kind).toBe('conflict');
    const error = (resolution as { error: WrongExpectedRevisionError }).error;
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ streamName: 'orders-1', expected: '2', actual: 5n });
  });

  it('asks to append again when the stream now matches the expectation (a concurrent change undid the conflict)', () => {
    expect(resolveUnwritten(entry('no_stream'), new Map(), 'no_stream')).toEqual({ kind: 'again' });
    expect(resolveUnwritten(entry(3n), new Map(), 3n)).toEqual({ kind: 'again' });
  });

  it.each<[string, (e: ValidAppend) => Map<string, StoredEventRef>]>([
    ['stored in another stream', (e) => storedAs(e, 0n, (r) => ({ ...r, streamName: 'orders-2' }))],
    ['stored with other data', (e) => storedAs(e, 0n, (r, i) => ({ ...r, sameData: i !== 1 }))],
    ['stored with another type', (e) => storedAs(e, 0n, (r) => ({ ...r, type: 't.v2' }))],
    ['stored in another order', (e) => storedAs(e, 0n, (r, i) => ({ ...r, streamRevision: BigInt(1 - i) }))],
    ['only partly stored', (e) => new Map([...storedAs(e, 0n)].slice(1))],
    ['stored elsewhere than the expectation says', (e) => storedAs(e, 5n)],
  ])('treats ids %s as a DuplicateEventError', (_, stored) => {
    const e = entry('no_stream');
    const resolution = resolveUnwritten(e, stored(e), 6n);
    expect(resolution.kind).toBe('duplicate');
    expect((resolution as { error: unknown }).error).toBeInstanceOf(DuplicateEventError);
  });
});

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DuplicateEventError } from '../errors.js';
import type { NewEvent, StreamAppend } from '../event-store.port.js';
import { InvalidAppendError, validateAppends } from './validate-append.js';

const event = (overrides: Partial<NewEvent> = {}, eventId: string = randomUUID()): NewEvent => ({
  type: 'thing.happened.v1',
  data: { n: 1 },
  metadata: { eventId, correlationId: 'c', causationId: null, actor: { kind: 'user', id: 'u' }, occurredAt: '2024-01-01T00:00:00.000Z' },
  ...overrides,
});
const one = (entry: Partial<StreamAppend>): StreamAppend[] => [{ streamName: 's-1', events: [event()], expectedRevision: 'any', ...entry }];

describe('validateAppends', () => {
  it('serialises each event once and lower-cases ids for matching', () => {
    const id = randomUUID().toUpperCase();
    const [valid] = validateAppends(one({ events: [event({ data: { b: 2, a: [1] } }, id)] }));
    expect(valid!.serialized).toEqual([
      { eventId: id.toLowerCase(), type: 'thing.happened.v1', data: '{"b":2,"a":[1]}', metadata: expect.stringContaining(id) },
    ]);
  });

  it.each([
    ['an empty stream name', one({ streamName: '' }), /stream name/],
    ['no events', one({ events: [] }), /at least one event/],
    ['a numeric expected revision', one({ expectedRevision: 3 as unknown as bigint }), /bigint/],
    ['a negative expected revision', one({ expectedRevision: -1n }), />= 0/],
    ['an empty type', one({ events: [event({ type: '' })] }), /type/],
    ['an event id that is not a UUID', one({ events: [event({}, 'evt-1')] }), /UUID/],
    [
      'the same id twice in one append',
      (() => {
        const id = randomUUID();
        return one({ events: [event({}, id), event({}, id)] });
      })(),
      /twice/,
    ],
    ['data that JSON cannot carry', one({ events: [event({ data: { n: 1n } })] }), /JSON/],
    ['undefined data', one({ events: [event({ data: undefined })] }), /JSON/],
    ['a NUL character', one({ events: [event({ data: { s: 'a\u0000b' } })] }), /NUL/],
    ['a NUL character in metadata', one({ events: [event({ metadata: { ...event().metadata, correlationId: 'c\u0000' } })] }), /NUL/],
    ['a NUL character in the stream name', one({ streamName: 's\u0000' }), /NUL/],
    ['a NUL character in the type', one({ events: [event({ type: 'a\u0000.v1' })] }), /NUL/],
  ])('refuses %s with InvalidAppendError', (_, batch, message) => {
    expect(() => validateAppends(batch)).toThrow(InvalidAppendError);
    expect(() => validateAppends(batch)).toThrow(message);
  });

  it('accepts an escaped backslash followed by u0000 (not a NUL)', () => {
    expect(() => validateAppends(one({ events: [event({ data: { s: '\\u0000' } })] }))).not.toThrow();
  });

  it('refuses one event id sent to two streams in one call with DuplicateEventError', () => {
    const id = randomUUID();
    const batch: StreamAppend[] = [
      { streamName: 'a', events: [event({}, id)], expectedRevision: 'any' },
      { streamName: 'b', events: [event({}, id)], expectedRevision: 'any' },
    ];
    expect(() => validateAppends(batch)).toThrow(DuplicateEventError);
  });

  it('lets one stream receive the same events twice in a call (the second is a retry)', () => {
    const events = [event()];
    expect(
      validateAppends([
        { streamName: 'a', events, expectedRevision: 'any' },
        { streamName: 'a', events, expectedRevision: 'any' },
      ]),
    ).toHaveLength(2);
  });
});

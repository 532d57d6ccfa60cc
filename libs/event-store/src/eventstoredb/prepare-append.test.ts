import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DuplicateEventError } from '../errors.js';
import type { NewEvent } from '../event-store.port.js';
import { groupByStream, prepareAppend, prepareAppends } from './prepare-append.js';

function newEvent(eventId: string = randomUUID()): NewEvent {
  return {
    type: 'revenue.test.v1',
    data: {},
    metadata: { eventId, correlationId: 'c', causationId: null, actor: { kind: 'system', id: 't' }, occurredAt: new Date(0).toISOString() },
  };
}

describe('prepareAppend', () => {
  it('refuses bad input before anything reaches the server', () => {
    const event = newEvent();
    expect(() => prepareAppend({ streamName: 'org-1', events: [], expectedRevision: 'any' })).toThrow(RangeError);
    expect(() => prepareAppend({ streamName: 'org-1', events: [event], expectedRevision: -1n })).toThrow(/negative/);
    expect(() => prepareAppend({ streamName: '$all', events: [event], expectedRevision: 'any' })).toThrow(TypeError);
    expect(() => prepareAppend({ streamName: 'org-1', events: [event], expectedRevision: 3 as unknown as bigint })).toThrow(TypeError);
    expect(() => prepareAppend({ streamName: 'org-1', events: [event, event], expectedRevision: 'any' })).toThrow(/twice/);
  });

  it('passes every EventStoreDB expectation through unchanged', () => {
    for (const expectedRevision of [5n, 'no_stream', 'stream_exists', 'any'] as const) {
      expect(prepareAppend({ streamName: 'org-1', events: [newEvent()], expectedRevision }).expected).toBe(expectedRevision);
    }
  });
});

describe('prepareAppends', () => {
  it('refuses one event id sent to two streams in one call', () => {
    const shared = newEvent();
    const batch = [
      { streamName: 'org-1', events: [shared], expectedRevision: 'any' as const },
      { streamName: 'org-2', events: [newEvent(shared.metadata.eventId.toUpperCase())], expectedRevision: 'any' as const },
    ];
    expect(() => prepareAppends(batch)).toThrow(DuplicateEventError);
  });

  it('allows the same id twice for one stream (a retry inside the batch)', () => {
    const shared = newEvent();
    const entry = { streamName: 'org-1', events: [shared], expectedRevision: 'any' as const };
    expect(prepareAppends([entry, entry])).toHaveLength(2);
  });
});

describe('groupByStream', () => {
  it('keeps the order of appends to one stream and separates streams', () => {
    const entry = (streamName: string) => prepareAppend({ streamName, events: [newEvent()], expectedRevision: 'any' });
    expect(groupByStream([entry('a'), entry('b'), entry('a'), entry('c'), entry('a')])).toEqual([[0, 2, 4], [1], [3]]);
  });
});

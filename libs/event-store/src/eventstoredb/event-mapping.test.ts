import type { RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import { describe, expect, it } from '@jest/globals';
import type { EventMetadata, NewEvent } from '../event-store.port.js';
import { toEventData, toRecordedEvent } from './event-mapping.js';

const metadata: EventMetadata = {
  eventId: '0b6c8b4e-7a53-4c1e-9a55-2f0f5f3c1a01',
  correlationId: 'c-1',
  causationId: null,
  actor: { kind: 'user', id: 'u-1' },
  occurredAt: '2025-01-01T00:00:00.000Z',
};
const event: NewEvent = { type: 'revenue.opportunity-detected.v1', data: { mrr: 120 }, metadata };

function stored(overrides: Partial<EsdbRecordedEvent>): EsdbRecordedEvent {
  return {
    streamId: 'org-1',
    id: metadata.eventId,
    isJson: true,
    revision: 3n,
    type: event.type,
    created: new Date(0),
    data: { mrr: 120 },
    metadata,
    position: { commit: 100n, prepare: 90n },
    ...overrides,
  } as EsdbRecordedEvent;
}

describe('toEventData', () => {
  it('uses metadata.eventId as the EventStoreDB event id so a retry is recognised', () => {
    expect(toEventData(event)).toEqual({
      id: metadata.eventId,
      contentType: 'application/json',
      type: event.type,
      data: { mrr: 120 },
      metadata,
    });
  });

  it('refuses ids EventStoreDB cannot take and reserved types', () => {
    expect(() => toEventData({ ...event, metadata: { ...metadata, eventId: 'evt-1' } })).toThrow(/not a UUID/);
    expect(() => toEventData({ ...event, type: '$stats' })).toThrow(TypeError);
    expect(() => toEventData({ ...event, data: undefined })).toThrow(/no data/);
  });
});

describe('toRecordedEvent', () => {
  it('gives our event with its stream revision and log position', () => {
    expect(toRecordedEvent(stored({}))).toEqual({
      type: event.type,
      data: { mrr: 120 },
      metadata,
      streamName: 'org-1',
      streamRevision: 3n,
      position: { commit: 100n, prepare: 90n },
    });
  });

  it('skips system events, binary events and events without our metadata', () => {
    expect(toRecordedEvent(stored({ type: '$metadata' }))).toBeNull();
    expect(toRecordedEvent(stored({ isJson: false, data: new Uint8Array([1]) } as Partial<EsdbRecordedEvent>))).toBeNull();
    expect(toRecordedEvent(stored({ metadata: { source: 'another app' } }))).toBeNull();
    expect(toRecordedEvent(undefined)).toBeNull();
  });

  it('fails clearly on a server too old to report positions', () => {
    expect(() => toRecordedEvent(stored({ position: undefined }))).toThrow(/22\.6/);
    const none = 2n ** 64n - 1n;
    expect(() => toRecordedEvent(stored({ position: { commit: none, prepare: none } }))).toThrow(/without a log position/);
  });
});

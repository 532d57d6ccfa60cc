import type { JSONEventData, JSONType, RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import type { EventMetadata, NewEvent, RecordedEvent } from '../event-store.port.js';
import { isUuid } from '#database';

const NO_POSITION = 2n ** 64n - 1n;
/**
 * The event id is metadata.eventId, never a fresh one: EventStoreDB recognises a retried append
 * by its event ids and answers it without writing twice.
 */
export function toEventData(event: NewEvent): JSONEventData {
  const id = event.metadata?.eventId;
  if (typeof id !== 'string' || !isUuid(id)) {
    throw new TypeError(`event id ${JSON.stringify(id)} is not a UUID: EventStoreDB requires UUID event ids`);
  }
  if (typeof event.type !== 'string' || event.type === '' || event.type.startsWith('$')) {
    throw new TypeError(`event ${id}: type ${JSON.stringify(event.type)} must be a non-empty string not starting with "$" (reserved)`);
  }
  if (event.data === undefined) throw new TypeError(`event ${id} (${event.type}) has no data`);
  return {
    id,
    contentType: 'application/json',
    type: event.type,
    // The client serialises with JSON.stringify, which accepts any JSON value, not only JSONType.
    data: event.data as JSONType,
    metadata: event.metadata as unknown as JSONType,
  };
}

/**
 * Our events are JSON with our metadata (an object carrying eventId). Anything else in the
 * database (system `$` events, other applications' events) is not ours: null.
 */
export function toRecordedEvent(event: EsdbRecordedEvent | undefined): RecordedEvent | null {
  if (!event || !event.isJson || event.type.startsWith('$') || !isOurMetadata(event.metadata)) return null;
  // The server sends "no position" as the maximum uint64 (e.g. stream reads of legacy explicit transactions).
  if (!event.position || event.position.commit === NO_POSITION) {
    throw new Error(`EventStoreDB returned event ${event.id} without a log position (needs EventStoreDB 22.6 or later)`);
  }
  return {
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    streamName: event.streamId,
    streamRevision: event.revision,
    position: event.position,
  };
}

function isOurMetadata(metadata: unknown): metadata is EventMetadata {
  return (
    typeof metadata === 'object' &&
    metadata !== null &&
    !Array.isArray(metadata) &&
    typeof (metadata as { eventId?: unknown }).eventId === 'string'
  );
}

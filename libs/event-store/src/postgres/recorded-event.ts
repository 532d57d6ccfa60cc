import { sql } from '#database';
import type { EventMetadata, LogPosition, RecordedEvent } from '../event-store.port.js';
import type { UpcasterRegistry } from '../upcasting.js';

/** A row selected with `eventColumns` (alias `e`). */
export interface EventRow {
  /** xid8 as text: the driver has no parser for it, and it fits a bigint. */
  readonly commit: string;
  readonly global_position: bigint;
  readonly stream_name: string;
  readonly stream_revision: bigint;
  readonly event_type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export const eventColumns = sql.fragment`
  e.transaction_id::text AS commit, e.global_position, e.stream_name, e.stream_revision,
  e.event_type, e.data, e.metadata
`;

export function rowPosition(row: Pick<EventRow, 'commit' | 'global_position'>): LogPosition {
  return { commit: BigInt(row.commit), prepare: row.global_position };
}

/** The event as readers see it: stored version upcast to the newest one. */
export function toRecordedEvent(row: EventRow, upcasters: UpcasterRegistry): RecordedEvent {
  return upcasters.upcast({
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    streamName: row.stream_name,
    streamRevision: row.stream_revision,
    position: rowPosition(row),
  });
}

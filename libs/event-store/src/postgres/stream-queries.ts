import { sql, type DatabasePool } from '#database';
import { StreamNotFoundError } from '../errors.js';
import type { RecordedEvent } from '../event-store.port.js';
import type { UpcasterRegistry } from '../upcasting.js';
import { eventColumns, toRecordedEvent, type EventRow } from './recorded-event.js';

export interface StreamQuery {
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

/**
 * A stream in revision order. Not held back by the log's visibility horizon: the stream row
 * lock already orders a stream's writers, and a command handler must read its own writes.
 */
export async function readStreamEvents(
  db: DatabasePool,
  streamName: string,
  query: StreamQuery,
  upcasters: UpcasterRegistry,
): Promise<RecordedEvent[]> {
  // One statement, one snapshot: the stream row and its events commit together, so a stream
  // created concurrently is either absent or complete here (never "exists but empty").
  const rows = (await db.any(sql.unsafe`
    SELECT ${eventColumns} FROM event_store.streams s
    LEFT JOIN LATERAL (
      SELECT * FROM event_store.events ev
      WHERE ev.stream_name = s.stream_name AND ev.stream_revision >= ${query.fromRevision ?? 0n}
      ORDER BY ev.stream_revision
      LIMIT ${query.maxCount ?? null}
    ) e ON true
    WHERE s.stream_name = ${streamName}
    ORDER BY e.stream_revision
  `)) as readonly (EventRow | Record<keyof EventRow, null>)[];
  if (rows.length === 0) throw new StreamNotFoundError(streamName);
  return rows.filter((row): row is EventRow => row.global_position !== null).map((row) => toRecordedEvent(row, upcasters));
}

/**
 * Hard delete (privacy erasure): the stream row first, which waits for any append holding
 * it, then the events in a second statement whose fresh snapshot sees what that append wrote.
 * The stream can be created again afterwards, starting at revision 0.
 */
export async function deleteStreamEvents(db: DatabasePool, streamName: string): Promise<void> {
  await db.transaction(async (tx) => {
    const deleted = await tx.maybeOneFirst(sql.unsafe`DELETE FROM event_store.streams WHERE stream_name = ${streamName} RETURNING 1`);
    if (deleted === null) throw new StreamNotFoundError(streamName);
    await tx.query(sql.unsafe`DELETE FROM event_store.events WHERE stream_name = ${streamName}`);
  });
}

import { sql, type CommonQueryMethods } from '#database';
import type { StoredEventRef } from './resolve-unwritten.js';
import type { ValidAppend } from './validate-append.js';

export interface StoredState {
  /** Stored events carrying an id of the given appends, by (lower-case) event id. */
  readonly events: ReadonlyMap<string, StoredEventRef>;
  /** Current revision of each given stream that exists. */
  readonly revisions: ReadonlyMap<string, bigint>;
}

/** What is stored now for appends the write statement refused (the rare path: two queries). */
export async function lookupStored(db: CommonQueryMethods, entries: readonly ValidAppend[]): Promise<StoredState> {
  const sent = entries.flatMap((entry) => entry.serialized.map((event) => [event.eventId, event.data]));
  const eventRows = await db.any(sql.unsafe`
    SELECT x.event_id, x.stream_name, x.stream_revision, x.event_type, x.data = i.data AS same_data,
           x.transaction_id::text AS commit, x.global_position AS prepare
    FROM ${sql.unnest(sent, ['uuid', 'jsonb'])} AS i(event_id, data)
    JOIN event_store.events x USING (event_id)
  `);
  const names = entries.map((entry) => entry.streamName);
  const streamRows = await db.any(sql.unsafe`
    SELECT stream_name, revision FROM event_store.streams WHERE stream_name = ANY(${sql.array(names, 'text')})
  `);
  const events = new Map<string, StoredEventRef>(
    eventRows.map((row) => [
      row.event_id as string,
      {
        streamName: row.stream_name as string,
        streamRevision: row.stream_revision as bigint,
        type: row.event_type as string,
        sameData: row.same_data as boolean,
        position: { commit: BigInt(row.commit as string), prepare: row.prepare as bigint },
      },
    ]),
  );
  const revisions = new Map(streamRows.map((row) => [row.stream_name as string, row.revision as bigint]));
  return { events, revisions };
}

import type { AppendExpectedRevision, EventStoreDBClient } from '@eventstore/db-client';
import { WrongExpectedRevisionError } from '../errors.js';
import type { AppendResult, LogPosition } from '../event-store.port.js';
import type { PreparedAppend } from './prepare-append.js';

/** One stream append. Errors are the client's; the caller maps them to the port's. */
export async function appendToStream(client: EventStoreDBClient, entry: PreparedAppend): Promise<AppendResult> {
  const { streamName, expected } = entry;
  // Our ExpectedRevision is the client's AppendExpectedRevision, value for value.
  const result = await client.appendToStream(streamName, entry.events, { expectedRevision: expected as AppendExpectedRevision });
  if (!result.success) {
    // Only with throwOnAppendFailure=false in the connection string; the client then reports the actual revision loosely.
    const actual = result.nextExpectedRevision < 0n ? 'no_stream' : result.nextExpectedRevision;
    throw new WrongExpectedRevisionError(streamName, String(expected), actual);
  }
  // EventStoreDB answers an idempotent retry without a position: the first append's is that of its last event.
  const position = result.position ?? (await positionOf(client, streamName, result.nextExpectedRevision));
  return { nextExpectedRevision: result.nextExpectedRevision, position };
}

async function positionOf(client: EventStoreDBClient, streamName: string, revision: bigint): Promise<LogPosition> {
  for await (const resolved of client.readStream(streamName, { fromRevision: revision, maxCount: 1 })) {
    if (resolved.event?.position) return resolved.event.position;
  }
  throw new Error(`EventStoreDB did not return the position of ${streamName}@${revision} (needs EventStoreDB 22.6 or later)`);
}

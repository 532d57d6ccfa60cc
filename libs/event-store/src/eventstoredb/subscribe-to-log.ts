import { START, type AllStreamResolvedEvent, type EventStoreDBClient } from '@eventstore/db-client';
import { comparePositions, type LogPosition, type RecordedEvent } from '../event-store.port.js';
import { batchesOf } from './subscription-batches.js';
import type { TypeSelection } from './type-selection.js';

export interface LogSubscription {
  readonly after?: LogPosition;
  readonly maxBatchSize: number;
  readonly types: TypeSelection;
  readonly signal: AbortSignal;
  /** Our event for a raw entry (null to skip), after the type check. */
  readonly select: (resolved: AllStreamResolvedEvent) => RecordedEvent | null;
  readonly mapError: (error: unknown) => Error;
}

/**
 * A catch-up subscription to $all, filtered on the server by event type: the server replays
 * from `after` (exclusive), then switches to live by itself. Each iteration opens its own
 * subscription, so the iterable can be consumed more than once.
 */
export function subscribeToLog(client: EventStoreDBClient, options: LogSubscription): AsyncIterable<readonly RecordedEvent[]> {
  const { after, types } = options;
  const select = (resolved: AllStreamResolvedEvent): RecordedEvent | null => {
    const position = resolved.event?.position;
    // Defensive: the exclusive start is the server's contract; re-checking it costs one comparison.
    if (after && position && comparePositions(position, after) <= 0) return null;
    if (resolved.event && !types.accepts(resolved.event.type)) return null;
    return options.select(resolved);
  };
  return {
    [Symbol.asyncIterator]: () => {
      const subscription = client.subscribeToAll(
        { fromPosition: after ?? START, filter: types.serverFilter },
        // The Readable buffers at most one batch; beyond that gRPC flow control holds the server back.
        { highWaterMark: options.maxBatchSize },
      );
      return batchesOf(subscription, {
        maxBatchSize: options.maxBatchSize,
        signal: options.signal,
        select,
        mapError: options.mapError,
        stop: () => subscription.unsubscribe(),
      });
    },
  };
}

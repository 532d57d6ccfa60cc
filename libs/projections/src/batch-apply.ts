import type { DatabasePool, DatabaseTransactionConnection } from '#database';
import type { LogPosition, RecordedEvent } from '#event-store';
import { lockLane, setLane, type Lane } from './checkpoints.js';
import { describeError, parkEvent } from './dead-letters.js';
import { CheckpointConflictError } from './errors.js';
import type { ProjectionLogger } from './logger.js';
import { sleep } from './sleep.js';
import type { AnyProjection, ProjectionTables } from './projection.js';

export interface RetryPolicy {
  /** Whole-batch attempts before the batch is applied event by event to isolate the culprit. */
  readonly attempts: number;
  /** Backoff before retry n is backoffMs * 2^(n-1). */
  readonly backoffMs: number;
}

export interface BatchTarget {
  readonly pool: DatabasePool;
  readonly projection: AnyProjection;
  readonly lane: Lane;
  readonly tables: ProjectionTables;
  readonly retry: RetryPolicy;
  readonly logger: ProjectionLogger;
}

export type BatchOutcome =
  | { readonly kind: 'applied'; readonly position: LogPosition; readonly parked: readonly RecordedEvent[] }
  | { readonly kind: 'halted'; readonly position: LogPosition | null; readonly event: RecordedEvent; readonly error: string };

/**
 * Applies a batch and moves the lane's checkpoint past it in ONE transaction: the batch is in
 * the read model exactly when the checkpoint says so, whatever kills the process.
 * `events` must have been read with `projection.eventTypes` as the filter (live-run, rebuild-run):
 * that is what lets an AnyProjection's `apply` take them (see AnyProjection).
 */
export async function applyBatch(target: BatchTarget, from: LogPosition | null, events: readonly RecordedEvent[]): Promise<BatchOutcome> {
  const { projection, lane, retry, logger } = target;
  const last = events[events.length - 1];
  if (!last) throw new RangeError('applyBatch needs at least one event');
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    try {
      await inLane(target, from, async (tx) => {
        await projection.apply(tx, events, target.tables);
        await setLane(tx, projection.name, lane, last.position);
      });
      return { kind: 'applied', position: last.position, parked: [] };
    } catch (error) {
      if (error instanceof CheckpointConflictError) throw error;
      logger.warn(
        { projection: projection.name, lane, attempt, events: events.length, error: describeError(error) },
        'projection batch failed',
      );
      if (attempt < retry.attempts) await sleep(retry.backoffMs * 2 ** (attempt - 1));
    }
  }
  return isolate(target, from, events);
}

/**
 * The batch keeps failing: apply it event by event, each in a savepoint, to find the events
 * that fail on their own. Each is parked; 'halt' stops the checkpoint just before it, 'skip'
 * moves on. Everything that did apply commits with the checkpoint, as in the batch path.
 */
async function isolate(target: BatchTarget, from: LogPosition | null, events: readonly RecordedEvent[]): Promise<BatchOutcome> {
  const { projection, lane, logger } = target;
  const failures: Array<{ event: RecordedEvent; error: string }> = [];
  const outcome = await inLane(target, from, async (tx): Promise<BatchOutcome> => {
    failures.length = 0; // slonik may re-run the transaction on a serialization failure
    let position = from;
    for (const event of events) {
      try {
        await tx.transaction((savepoint) => projection.apply(savepoint, [event], target.tables));
      } catch (error) {
        await parkEvent(tx, projection.name, event, error, target.retry.attempts + 1);
        failures.push({ event, error: describeError(error) });
        if (projection.onError === 'halt') {
          const reason = `event ${event.metadata.eventId} (${event.type}) parked: ${describeError(error)}`;
          await setLane(tx, projection.name, lane, position, reason);
          return { kind: 'halted', position, event, error: reason };
        }
      }
      position = event.position;
    }
    await setLane(tx, projection.name, lane, position);
    return { kind: 'applied', position: events[events.length - 1]!.position, parked: failures.map((f) => f.event) };
  });
  // Logged after the commit, so the log never reports a park or halt that was rolled back.
  for (const { event, error } of failures) {
    const fields = {
      projection: projection.name,
      lane,
      eventId: event.metadata.eventId,
      eventType: event.type,
      stream: event.streamName,
      error,
    };
    if (outcome.kind === 'halted')
      logger.error(fields, 'projection HALTED: event parked in projection_dead_letters; fix it and resume, or rebuild');
    else logger.error(fields, 'projection skipped an event: parked in projection_dead_letters');
  }
  return outcome;
}

function inLane<T>(target: BatchTarget, from: LogPosition | null, work: (tx: DatabaseTransactionConnection) => Promise<T>): Promise<T> {
  return target.pool.transaction(async (tx) => {
    await lockLane(tx, target.projection.name, target.lane, target.projection.version, from);
    return work(tx);
  });
}

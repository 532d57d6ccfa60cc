import { ANY, BACKWARDS, END, type EventStoreDBClient, type RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../errors.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  LogPosition,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
} from '../event-store.port.js';
import type { UpcasterRegistry } from '../upcasting.js';
import { appendToStream } from './append-to-stream.js';
import { createClient, describeTarget, type ConnectionTarget } from './connection.js';
import { toPortError, type ErrorContext } from './error-mapping.js';
import { toRecordedEvent } from './event-mapping.js';
import { lastLogPosition, lastSelectedPosition, readLogForwards } from './log-reads.js';
import { mapBounded } from '../map-bounded.js';
import { groupByStream, prepareAppend, prepareAppends, type PreparedAppend } from './prepare-append.js';
import { subscribeToLog } from './subscribe-to-log.js';
import { selectTypes } from './type-selection.js';
import { checkCount, checkRevision, checkStreamName } from './validation.js';

export interface EventStoreDbOptions {
  readonly upcasters?: UpcasterRegistry;
  /** Streams appendMany writes at once (default 32); they share the client's single batch-append gRPC stream. */
  readonly appendConcurrency?: number;
}

const DEFAULT_MAX_BATCH_SIZE = 256;

/** The EventStore port on EventStoreDB 22.6+ (and KurrentDB) through @eventstore/db-client. */
export class EventStoreDbEventStore implements EventStore {
  readonly #closed = new AbortController();

  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly target: ConnectionTarget,
    private readonly options: EventStoreDbOptions,
  ) {}

  /** Parses the connection string (`esdb://...`); no network I/O happens until the first call. */
  static connect(connectionString: string, options: EventStoreDbOptions = {}): EventStoreDbEventStore {
    checkCount(options.appendConcurrency ?? 1, 'appendConcurrency');
    const target = describeTarget(connectionString);
    return new EventStoreDbEventStore(createClient(connectionString, target), target, options);
  }

  async append(streamName: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return this.#append(prepareAppend({ streamName, events, expectedRevision }));
  }

  /** Per-stream appends, a bounded number of streams at a time: atomic per stream, not across streams. */
  async appendMany(batch: readonly StreamAppend[]): Promise<Array<AppendResult | WrongExpectedRevisionError>> {
    const prepared = prepareAppends(batch); // all input checked before anything is written
    const results = new Array<AppendResult | WrongExpectedRevisionError>(prepared.length);
    await mapBounded(groupByStream(prepared), this.options.appendConcurrency ?? 32, async (indexes) => {
      for (const index of indexes) {
        results[index] = await this.#append(prepared[index]!).catch((error: unknown) => {
          if (error instanceof WrongExpectedRevisionError) return error;
          throw error;
        });
      }
    });
    return results;
  }

  async readStream(
    streamName: string,
    options: { readonly fromRevision?: bigint; readonly maxCount?: number } = {},
  ): Promise<RecordedEvent[]> {
    checkStreamName(streamName);
    const fromRevision = checkRevision(options.fromRevision ?? 0n, 'fromRevision');
    const maxCount = options.maxCount === undefined ? Number.MAX_SAFE_INTEGER : checkCount(options.maxCount, 'maxCount');
    return this.#call({ streamName }, async () => {
      const events: RecordedEvent[] = [];
      for await (const resolved of this.client.readStream(streamName, { fromRevision, maxCount })) {
        const event = this.#select(resolved.event);
        if (event) events.push(event);
      }
      return events;
    });
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount === undefined ? Infinity : checkCount(options.maxCount, 'maxCount');
    const { accepts } = selectTypes(options.eventTypes, this.options.upcasters);
    const select = (event: EsdbRecordedEvent | undefined) => (event && accepts(event.type) ? this.#select(event) : null);
    return this.#call({}, () => readLogForwards(this.client, { after: options.after, maxCount, select: (r) => select(r.event) }));
  }

  subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<readonly RecordedEvent[]> {
    this.#ensureOpen();
    // close() must end live iterators too: disposing the client alone would leave them waiting forever.
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closed.signal]) : this.#closed.signal;
    return subscribeToLog(this.client, {
      after: options.after,
      maxBatchSize: checkCount(options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE, 'maxBatchSize'),
      types: selectTypes(options.eventTypes, this.options.upcasters),
      signal,
      select: (resolved) => this.#select(resolved.event),
      mapError: (error) => toPortError(error, { target: this.target }),
    });
  }

  /**
   * The client's deleteStream is a soft delete: the stream reads as not found at once, but its
   * events stay on disk (and in $all reads) until the next scavenge physically erases them.
   * Privacy erasure is complete only after a scavenge.
   */
  async deleteStream(streamName: string): Promise<void> {
    checkStreamName(streamName);
    await this.#call({ streamName }, async () => {
      // Deleting a missing stream with 'any' succeeds silently; the port wants StreamNotFoundError.
      for await (const _ of this.client.readStream(streamName, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) break;
      await this.client.deleteStream(streamName, { expectedRevision: ANY });
    });
  }

  /** Position of the newest of our events (system and foreign events do not count). */
  async headPosition(): Promise<LogPosition | null> {
    return this.#call({}, () => lastSelectedPosition(this.client, (resolved) => toRecordedEvent(resolved.event)));
  }

  /** Everything in $all is committed and readable at once: the last position of $all. */
  async committedHead(): Promise<LogPosition | null> {
    return this.#call({}, () => lastLogPosition(this.client));
  }

  async close(): Promise<void> {
    if (this.#closed.signal.aborted) return;
    this.#closed.abort();
    await this.client.dispose();
  }

  #append(entry: PreparedAppend): Promise<AppendResult> {
    return this.#call({ streamName: entry.streamName, expected: entry.expected }, () => appendToStream(this.client, entry));
  }

  /** Runs one client operation with the port's error mapping. */
  async #call<T>(context: Omit<ErrorContext, 'target'>, operation: () => Promise<T>): Promise<T> {
    this.#ensureOpen();
    try {
      return await operation();
    } catch (error) {
      throw toPortError(error, { ...context, target: this.target });
    }
  }

  #select(event: EsdbRecordedEvent | undefined): RecordedEvent | null {
    const recorded = toRecordedEvent(event);
    if (!recorded || !this.options.upcasters) return recorded;
    return this.options.upcasters.upcast(recorded);
  }

  #ensureOpen(): void {
    if (this.#closed.signal.aborted) throw new EventStoreUnavailableError(`EventStoreDB store for ${this.target.display} is closed`);
  }
}

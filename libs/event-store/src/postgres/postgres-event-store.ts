import type { DatabasePool } from '#database';
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
import type { WrongExpectedRevisionError } from '../errors.js';
import { UpcasterRegistry } from '../upcasting.js';
import { AppendAnnouncer } from './append-announcer.js';
import { appendBatch } from './append-batch.js';
import type { AppendTransport } from './append-statement.js';
import { AppendNotifier } from './append-notifier.js';
import { readCommittedHead, readHeadPosition, readLogPage } from './read-log.js';
import { deleteStreamEvents, readStreamEvents } from './stream-queries.js';
import { subscribeToLog } from './subscription.js';
import { validateAppends } from './validate-append.js';

export interface PostgresEventStoreOptions {
  /** The shared slonik pool; the store uses it and leaves closing it to its owner. */
  readonly pool: DatabasePool;
  /** For the LISTEN connection, which must live outside the pool. */
  readonly connectionUrl: string;
  readonly upcasters?: UpcasterRegistry;
  /** Longest wait before a live subscription re-reads without a notification. Default 1000. */
  readonly pollIntervalMs?: number;
  /**
   * How appends send their events: 'json' (default, one jsonb document per statement) or
   * 'arrays' (the earlier `unnest` array parameters). Only for comparing the two (bench).
   */
  readonly appendTransport?: AppendTransport;
  /**
   * Statements of one appendMany in flight at once, each on its own pooled connection (a
   * large batch is cut into about this many; parts stay >= 1,000 events). Default 4. Atomic
   * per stream still; a batch's streams then commit in up to this many transactions.
   */
  readonly appendConcurrency?: number;
}

const DEFAULT_APPEND_CONCURRENCY = 4;

/** The EventStore port on PostgreSQL (migration 104): set-based appends, gap-safe global log. */
export class PostgresEventStore implements EventStore {
  readonly #pool: DatabasePool;
  readonly #upcasters: UpcasterRegistry;
  readonly #pollIntervalMs: number;
  readonly #appendTransport: AppendTransport;
  readonly #appendConcurrency: number;
  readonly #notifier: AppendNotifier;
  readonly #announcer: AppendAnnouncer;
  /** Ends every live subscription on close(). */
  readonly #closing = new AbortController();

  constructor(options: PostgresEventStoreOptions) {
    this.#pool = options.pool;
    this.#upcasters = options.upcasters ?? UpcasterRegistry.empty;
    this.#pollIntervalMs = positiveInteger('pollIntervalMs', options.pollIntervalMs ?? 1000);
    this.#appendTransport = options.appendTransport ?? 'json';
    this.#appendConcurrency = positiveInteger('appendConcurrency', options.appendConcurrency ?? DEFAULT_APPEND_CONCURRENCY);
    this.#notifier = new AppendNotifier(options.connectionUrl, Math.min(this.#pollIntervalMs, 1000));
    this.#announcer = new AppendAnnouncer(options.pool);
  }

  async append(streamName: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const [outcome] = await this.appendMany([{ streamName, events, expectedRevision }]);
    if (outcome instanceof Error) throw outcome;
    return outcome!;
  }

  async appendMany(batch: readonly StreamAppend[]): Promise<Array<AppendResult | WrongExpectedRevisionError>> {
    const outcomes = await appendBatch(this.#pool, validateAppends(batch), {
      transport: this.#appendTransport,
      concurrency: this.#appendConcurrency,
    });
    if (outcomes.some((outcome) => !(outcome instanceof Error))) this.#announcer.announce();
    return outcomes;
  }

  async readStream(
    streamName: string,
    options: { readonly fromRevision?: bigint; readonly maxCount?: number } = {},
  ): Promise<RecordedEvent[]> {
    if (options.fromRevision !== undefined && (typeof options.fromRevision !== 'bigint' || options.fromRevision < 0n)) {
      throw new RangeError(`fromRevision must be a bigint >= 0, got ${String(options.fromRevision)}`);
    }
    if (options.maxCount !== undefined) positiveInteger('maxCount', options.maxCount);
    return readStreamEvents(this.#pool, streamName, options, this.#upcasters);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount !== undefined) positiveInteger('maxCount', options.maxCount);
    const { after, maxCount: limit, eventTypes } = options;
    const page = await readLogPage(
      this.#pool,
      { ...(after && { after }), ...(limit && { limit }), ...(eventTypes && { eventTypes }) },
      this.#upcasters,
    );
    return page.events;
  }

  subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<readonly RecordedEvent[]> {
    if (options.maxBatchSize !== undefined) positiveInteger('maxBatchSize', options.maxBatchSize);
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    return subscribeToLog(
      {
        readPage: (query) => readLogPage(this.#pool, query, this.#upcasters),
        listen: (listener) => this.#notifier.listen(listener),
        pollIntervalMs: this.#pollIntervalMs,
      },
      { ...options, signal },
    );
  }

  async deleteStream(streamName: string): Promise<void> {
    return deleteStreamEvents(this.#pool, streamName);
  }

  headPosition(): Promise<LogPosition | null> {
    return readHeadPosition(this.#pool);
  }

  committedHead(): Promise<LogPosition | null> {
    return readCommittedHead(this.#pool);
  }

  /** Ends live subscriptions and the LISTEN connection; the pool belongs to the caller. */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.#notifier.close();
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}

import type { WrongExpectedRevisionError } from './errors.js';

/**
 * The EventStore port. Two adapters implement it (PostgreSQL, the embedded default, and
 * EventStoreDB) and both must pass the contract suite in libs/event-store/test-support.
 */

/** Who caused an event. Ids only: never names or e-mail addresses. */
export interface Actor {
  readonly kind: 'user' | 'service' | 'system';
  readonly id: string;
}

export interface EventMetadata {
  readonly eventId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly idempotencyKey?: string;
  readonly actor: Actor;
  /** ISO-8601, from the injected clock, never from the database. */
  readonly occurredAt: string;
  /** Name of the command that produced the event. */
  readonly command?: string;
  readonly ruleSetVersion?: string;
}

/** An event about to be appended. `type` is a stable, versioned string such as `revenue.opportunity-detected.v1`. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/**
 * A position in the global log, comparable as the pair (commit, prepare).
 * EventStoreDB: its commit/prepare positions. PostgreSQL: (transaction id, global sequence).
 */
export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> extends NewEvent<Type, Data> {
  readonly streamName: string;
  /** Zero-based revision of the event in its stream. */
  readonly streamRevision: bigint;
  readonly position: LogPosition;
}

/** Optimistic concurrency, with EventStoreDB's meanings. A number is the revision of the stream's last event. */
export type ExpectedRevision = bigint | 'no_stream' | 'stream_exists' | 'any';

export interface AppendResult {
  /** Revision of the last event now in the stream: pass it as the next expectedRevision. */
  readonly nextExpectedRevision: bigint;
  /** Log position of the last appended event (read-your-writes token). */
  readonly position: LogPosition;
}

export interface StreamAppend {
  readonly streamName: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision: ExpectedRevision;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omitted: from the start. */
  readonly after?: LogPosition;
  readonly maxCount?: number;
  /** Only these event types (server-side filter where the adapter can). */
  readonly eventTypes?: readonly string[];
}

export interface SubscribeOptions extends Omit<ReadAllOptions, 'maxCount'> {
  /** Largest batch handed to the consumer at once. */
  readonly maxBatchSize?: number;
  /** Stops the subscription; the iterator then completes. */
  readonly signal?: AbortSignal;
}

export interface EventStore {
  /** Appends atomically. Retrying the same events (same event ids) is a no-op that returns the first result. */
  append(streamName: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /**
   * Appends to many streams in one call (the fleet sweep writes thousands of org streams at
   * once). Atomic per stream, not across streams: each entry gets its own result or error.
   */
  appendMany(batch: readonly StreamAppend[]): Promise<Array<AppendResult | WrongExpectedRevisionError>>;
  /** All events of a stream in revision order; throws StreamNotFoundError when it has none or was deleted. */
  readStream(streamName: string, options?: { readonly fromRevision?: bigint; readonly maxCount?: number }): Promise<RecordedEvent[]>;
  /** Events of the global log in order, only those no earlier-committing writer can still precede. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch-up, then live: yields batches in log order, each event exactly once, until aborted. */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<readonly RecordedEvent[]>;
  /** Removes a stream and its events (erasure). Throws StreamNotFoundError if it does not exist. */
  deleteStream(streamName: string): Promise<void>;
  /** The head of the log: the position of the last event readers can see, or null when empty. */
  headPosition(): Promise<LogPosition | null>;
  /**
   * The position of the last committed event, whether readers can see it yet or not (PostgreSQL:
   * a committed append stays below the readable horizon while an older transaction is open), or
   * null when the log is empty. Every position an append returned is at or before it, unless its
   * stream was deleted since. Not a read horizon: use headPosition() for that.
   */
  committedHead(): Promise<LogPosition | null>;
  close(): Promise<void>;
}

export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** Text form for HTTP headers and JSON: `<commit>-<prepare>`. */
export function formatPosition(p: LogPosition): string {
  return `${p.commit}-${p.prepare}`;
}

export function parsePosition(text: string): LogPosition | null {
  const match = /^(\d{1,20})-(\d{1,20})$/.exec(text);
  if (!match) return null;
  return { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) };
}

import type { DatabaseTransactionConnection, sql } from '#database';
import type { RecordedEvent } from '#event-store';
import { InvalidProjectionError } from './errors.js';

type Identifier = ReturnType<typeof sql.identifier>;

/**
 * Where a projection writes: each owned logical table name maps to the identifier of the live
 * table, or of its shadow copy while the projection is being rebuilt. Handlers must always go
 * through `of()`; a hard-coded table name would write the live table during a rebuild.
 */
export interface ProjectionTables {
  /** Throws UnknownProjectionTableError for a table the projection does not declare. */
  of(table: string): Identifier;
}

export type OnErrorPolicy = 'halt' | 'skip';

/** What a projection is typed by: one event, or a union such as the domain's RevenueEvent. */
export interface ProjectionEvent {
  readonly type: string;
  readonly data: unknown;
}

/**
 * An event as the log hands it over (position, stream name and revision, metadata) whose type
 * and data are those of E. Over a union it stays a union, so checking `type` narrows `data`.
 * (An intersection, not a conditional type: TypeScript then checks Projection<E>'s variance in E.)
 */
export type Recorded<E extends ProjectionEvent> = Omit<RecordedEvent, 'type' | 'data'> & E;

/**
 * The declaration a read model exports, typed by the events it handles: `apply` gets only
 * events of its `eventTypes`, as `Recorded<E>`.
 *
 * `apply` gets a whole batch (set-based SQL over it; group the batch by type). It must give the
 * same result whether called once with a batch or once per event in order: after retries the
 * runner applies a failing batch event by event (in savepoints) to find and park the culprit.
 * The owned tables must be written by this projection only: a rebuild replaces them.
 */
export interface Projection<E extends ProjectionEvent = ProjectionEvent> {
  /** Stable id, e.g. 'revenue-read-model' (lowercase letters, digits, '-', '_'). */
  readonly name: string;
  /** Bump it and the runner rebuilds the tables from position zero, then swaps them in. */
  readonly version: number;
  readonly eventTypes: readonly E['type'][];
  /** Tables it owns ('table' or 'schema.table'), parents before children. */
  readonly tables: readonly string[];
  /** After retries the failing event is parked; then the projection halts or skips it. */
  readonly onError: OnErrorPolicy;
  /** A property, not a method, so its parameter is checked strictly: a Projection<A> is no Projection<B>. */
  readonly apply: (tx: DatabaseTransactionConnection, events: readonly Recorded<E>[], tables: ProjectionTables) => Promise<void>;
}

/**
 * A projection of whatever events, as the runner holds them (a list of read models, each typed
 * by its own union). This is the one place their event types are erased, and why that is sound:
 * the runner reads the log with the projection's own `eventTypes` as the filter (live
 * subscription and rebuild alike), so every batch it hands to `apply` is of that projection's
 * events. Nothing else may call `apply` on an AnyProjection.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the erasure point explained above
export type AnyProjection = Projection<any>;

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/** Refuses a declaration the runner could not run safely, with the reason. */
export function assertValidProjection(projection: AnyProjection): void {
  const fail = (reason: string): never => {
    throw new InvalidProjectionError(projection.name, reason);
  };
  if (!NAME.test(projection.name)) fail('name must match ' + NAME.source);
  if (!Number.isInteger(projection.version) || projection.version < 1) fail('version must be an integer >= 1');
  if (projection.eventTypes.length === 0) fail('eventTypes must not be empty');
  if (projection.tables.length === 0) fail('tables must not be empty');
  if (new Set(projection.tables).size !== projection.tables.length) fail('tables must be unique');
  if (projection.onError !== 'halt' && projection.onError !== 'skip') fail("onError must be 'halt' or 'skip'");
}

/** Several projections in one runner: each valid and no name twice. */
export function assertValidProjections(projections: readonly AnyProjection[]): void {
  const seen = new Set<string>();
  for (const projection of projections) {
    assertValidProjection(projection);
    if (seen.has(projection.name)) throw new InvalidProjectionError(projection.name, 'declared twice');
    seen.add(projection.name);
  }
}

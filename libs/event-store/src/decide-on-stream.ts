import { createHash, randomUUID } from 'node:crypto';
import type { Actor, AppendResult, EventMetadata, EventStore, NewEvent, RecordedEvent } from './event-store.port.js';
import type { SnapshotPolicy } from './snapshots.js';
import { StreamNotFoundError, WrongExpectedRevisionError } from './errors.js';

/** A domain event as the pure domain knows it: no metadata, no position. */
export interface DomainEvent {
  readonly type: string;
  readonly data: unknown;
}

export interface Fold<State, Event extends DomainEvent> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
}

/** What every event of one command execution shares (who, which command, why: README "The event store", envelope). */
export interface AppendContext {
  readonly command: string;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string | null;
  readonly idempotencyKey?: string;
  readonly ruleSetVersion?: string;
  readonly now: Date;
}

export interface Decision<State, Event extends DomainEvent> {
  readonly events: readonly Event[];
  readonly state: State;
  /** Null when the decision produced no event (e.g. an idempotent retry). */
  readonly appended: AppendResult | null;
  /** The stream's revision after the decision ('no_stream' when it still has no event). */
  readonly revision: bigint | 'no_stream';
  readonly attempts: number;
}

/** A stream's folded state, its revision, and what it took: the events folded and the last one's id. */
export interface LoadedState<State> {
  readonly state: State;
  readonly revision: bigint | 'no_stream';
  /** Events folded by this load (after the snapshot, when one was used). */
  readonly folded: number;
  readonly lastEventId: string | null;
}

/**
 * The stream folded into its state. With a snapshot policy, from the stream's snapshot and only
 * the events after it, provided the snapshot's last event is still the stream's event at that
 * revision (a deleted and re-created stream, or another store, is folded from the start). The
 * snapshot is looked up while the stream's first `every` events are read, so a short stream
 * (no snapshot yet) costs no extra round trip.
 */
export async function loadState<State, Event extends DomainEvent>(
  store: EventStore,
  streamName: string,
  fold: Fold<State, Event>,
  snapshots?: SnapshotPolicy,
): Promise<LoadedState<State>> {
  const evolve = (s: State, e: RecordedEvent) => fold.evolve(s, e as unknown as Event);
  const folded = (from: State, events: readonly RecordedEvent[], last: RecordedEvent): LoadedState<State> => ({
    state: events.reduce(evolve, from),
    revision: last.streamRevision,
    folded: events.length,
    lastEventId: last.metadata.eventId,
  });
  try {
    if (!snapshots) {
      const recorded = await store.readStream(streamName);
      return folded(fold.initialState, recorded, recorded.at(-1)!);
    }
    const [snapshot, head] = await Promise.all([
      snapshots.store.load<State>(streamName, snapshots.schema).catch(() => null),
      store.readStream(streamName, { maxCount: snapshots.every }),
    ]);
    if (snapshot) {
      const tail = await store.readStream(streamName, { fromRevision: snapshot.revision });
      const [first, ...rest] = tail;
      if (first && first.streamRevision === snapshot.revision && first.metadata.eventId === snapshot.lastEventId) {
        return folded(snapshot.state, rest, tail.at(-1)!);
      }
    }
    const recorded =
      head.length < snapshots.every ? head : [...head, ...(await store.readStream(streamName, { fromRevision: BigInt(head.length) }))];
    return folded(fold.initialState, recorded, recorded.at(-1)!);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return { state: fold.initialState, revision: 'no_stream', folded: 0, lastEventId: null };
    throw error;
  }
}

/**
 * After a decision: a new snapshot when the load folded `every` events or more (counting the
 * ones just appended). A failed save is only a missed shortcut: the command has succeeded.
 */
async function maybeSnapshot<State>(
  snapshots: SnapshotPolicy | undefined,
  streamName: string,
  loaded: LoadedState<State>,
  after: { readonly state: State; readonly revision: bigint | 'no_stream'; readonly lastEventId: string | null; readonly appended: number },
): Promise<void> {
  if (!snapshots || after.revision === 'no_stream' || after.lastEventId === null) return;
  if (loaded.folded + after.appended < snapshots.every) return;
  // An append the store recognised as already written (same event ids) returns the first
  // append's revision: the state here is not that stream's state then, so no snapshot of it.
  const base = loaded.revision === 'no_stream' ? -1n : loaded.revision;
  if (after.revision !== base + BigInt(after.appended)) return;
  await snapshots.store
    .save(streamName, snapshots.schema, { state: after.state, revision: after.revision, lastEventId: after.lastEventId })
    .catch(() => undefined);
}

export function withMetadata(events: readonly DomainEvent[], ctx: AppendContext): NewEvent[] {
  return events.map((event, index) => ({
    type: event.type,
    data: event.data,
    metadata: metadataFor(ctx, index),
  }));
}

/**
 * Event ids derive from the idempotency key when the command has one, so a retried command
 * that decides the same events again is deduplicated by the store; otherwise they are random.
 */
export function metadataFor(ctx: AppendContext, index = 0): EventMetadata {
  return {
    eventId: ctx.idempotencyKey ? uuidFromName(`${ctx.command}:${ctx.idempotencyKey}:${index}`) : randomUUID(),
    correlationId: ctx.correlationId,
    causationId: ctx.causationId ?? null,
    ...(ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}),
    actor: ctx.actor,
    occurredAt: ctx.now.toISOString(),
    command: ctx.command,
    ...(ctx.ruleSetVersion ? { ruleSetVersion: ctx.ruleSetVersion } : {}),
  };
}

/**
 * Load, fold, decide, append with the expected revision; on a concurrency conflict decide
 * again on fresh state (the other writer may have made this command a no-op or invalid).
 */
export async function decideOnStream<State, Event extends DomainEvent>(
  store: EventStore,
  streamName: string,
  fold: Fold<State, Event>,
  /** May gather inputs for the state it is given (e.g. a balance) before calling the pure decider. */
  decide: (state: State) => readonly Event[] | Promise<readonly Event[]>,
  ctx: AppendContext,
  options: { readonly maxAttempts?: number; readonly expectedRevision?: bigint | 'no_stream'; readonly snapshots?: SnapshotPolicy } = {},
): Promise<Decision<State, Event>> {
  // A caller that states the revision it saw (HTTP If-Match) gets a conflict, never a re-decision.
  const maxAttempts = options.expectedRevision === undefined ? (options.maxAttempts ?? 10) : 1;
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadState(store, streamName, fold, options.snapshots);
    const { state, revision } = loaded;
    if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
      throw new WrongExpectedRevisionError(streamName, String(options.expectedRevision), revision);
    }
    const events = await decide(state);
    const next = events.reduce(fold.evolve, state);
    if (events.length === 0) {
      await maybeSnapshot(options.snapshots, streamName, loaded, { state, revision, lastEventId: loaded.lastEventId, appended: 0 });
      return { events, state: next, appended: null, revision, attempts: attempt };
    }
    try {
      const written = withMetadata(events, ctx);
      const appended = await store.append(streamName, written, revision);
      const after = {
        state: next,
        revision: appended.nextExpectedRevision,
        lastEventId: written.at(-1)!.metadata.eventId,
        appended: events.length,
      };
      await maybeSnapshot(options.snapshots, streamName, loaded, after);
      return { events, state: next, appended, revision: appended.nextExpectedRevision, attempts: attempt };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxAttempts) throw error;
      // Small jittered pause so many writers on one hot stream do not collide in lock-step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

/** A name-based (version 5 style, SHA-1) UUID: the same name always gives the same id. */
export function uuidFromName(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One stream's part of decideOnStreams. */
export interface StreamDecision<State, Event extends DomainEvent> {
  readonly streamName: string;
  readonly decide: (state: State) => readonly Event[];
}

/**
 * decideOnStream for many streams at once, for batch work (the observer, backfills): the streams
 * are read a few at a time, each decided on its own state, and every stream with events is
 * appended in one appendMany, each with its own expected revision. A stream another writer moved
 * on meanwhile is decided again alone through decideOnStream. Results in the order given.
 */
export async function decideOnStreams<State, Event extends DomainEvent>(
  store: EventStore,
  fold: Fold<State, Event>,
  decisions: readonly StreamDecision<State, Event>[],
  ctx: AppendContext,
  options: { readonly readConcurrency?: number; readonly snapshots?: SnapshotPolicy } = {},
): Promise<Array<Decision<State, Event>>> {
  const loaded: Array<LoadedState<State> & { events: readonly Event[]; written: NewEvent[] }> = new Array(decisions.length);
  const concurrency = options.readConcurrency ?? 4;
  let next = 0;
  const reader = async () => {
    for (let i = next++; i < decisions.length; i = next++) {
      const load = await loadState(store, decisions[i]!.streamName, fold, options.snapshots);
      const events = decisions[i]!.decide(load.state);
      loaded[i] = { ...load, events, written: events.length ? withMetadata(events, ctx) : [] };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, decisions.length) }, reader));
  const writes = loaded.flatMap((l, i) => (l.events.length ? [i] : []));
  const results = writes.length
    ? await store.appendMany(
        writes.map((i) => ({ streamName: decisions[i]!.streamName, events: loaded[i]!.written, expectedRevision: loaded[i]!.revision })),
      )
    : [];
  const appended = new Map(writes.map((i, k) => [i, results[k]!]));
  return Promise.all(
    decisions.map(async (d, i): Promise<Decision<State, Event>> => {
      const load = loaded[i]!;
      const { state, revision, events } = load;
      const result = appended.get(i);
      if (result === undefined) return { events, state, appended: null, revision, attempts: 1 };
      if (result instanceof WrongExpectedRevisionError)
        return decideOnStream(store, d.streamName, fold, d.decide, ctx, options.snapshots ? { snapshots: options.snapshots } : {});
      const after = events.reduce(fold.evolve, state);
      await maybeSnapshot(options.snapshots, d.streamName, load, {
        state: after,
        revision: result.nextExpectedRevision,
        lastEventId: load.written.at(-1)!.metadata.eventId,
        appended: events.length,
      });
      return { events, state: after, appended: result, revision: result.nextExpectedRevision, attempts: 1 };
    }),
  );
}

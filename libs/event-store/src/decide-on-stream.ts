import { createHash, randomUUID } from 'node:crypto';
import type { Actor, AppendResult, EventMetadata, EventStore, NewEvent } from './event-store.port.js';
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

export async function loadState<State, Event extends DomainEvent>(
  store: EventStore,
  streamName: string,
  fold: Fold<State, Event>,
): Promise<{ state: State; revision: bigint | 'no_stream' }> {
  try {
    const recorded = await store.readStream(streamName);
    const state = recorded.reduce((s, e) => fold.evolve(s, e as unknown as Event), fold.initialState);
    return { state, revision: recorded.at(-1)!.streamRevision };
  } catch (error) {
    if (error instanceof StreamNotFoundError) return { state: fold.initialState, revision: 'no_stream' };
    throw error;
  }
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
  options: { readonly maxAttempts?: number; readonly expectedRevision?: bigint | 'no_stream' } = {},
): Promise<Decision<State, Event>> {
  // A caller that states the revision it saw (HTTP If-Match) gets a conflict, never a re-decision.
  const maxAttempts = options.expectedRevision === undefined ? (options.maxAttempts ?? 10) : 1;
  for (let attempt = 1; ; attempt++) {
    const { state, revision } = await loadState(store, streamName, fold);
    if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
      throw new WrongExpectedRevisionError(streamName, String(options.expectedRevision), revision);
    }
    const events = await decide(state);
    const next = events.reduce(fold.evolve, state);
    if (events.length === 0) return { events, state: next, appended: null, revision, attempts: attempt };
    try {
      const appended = await store.append(streamName, withMetadata(events, ctx), revision);
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
  options: { readonly readConcurrency?: number } = {},
): Promise<Array<Decision<State, Event>>> {
  const loaded: Array<{ state: State; revision: bigint | 'no_stream'; events: readonly Event[] }> = new Array(decisions.length);
  const concurrency = options.readConcurrency ?? 4;
  let next = 0;
  const reader = async () => {
    for (let i = next++; i < decisions.length; i = next++) {
      const { state, revision } = await loadState(store, decisions[i]!.streamName, fold);
      loaded[i] = { state, revision, events: decisions[i]!.decide(state) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, decisions.length) }, reader));
  const writes = loaded.flatMap((l, i) => (l.events.length ? [i] : []));
  const results = writes.length
    ? await store.appendMany(
        writes.map((i) => ({
          streamName: decisions[i]!.streamName,
          events: withMetadata(loaded[i]!.events, ctx),
          expectedRevision: loaded[i]!.revision,
        })),
      )
    : [];
  const appended = new Map(writes.map((i, k) => [i, results[k]!]));
  return Promise.all(
    decisions.map(async (d, i): Promise<Decision<State, Event>> => {
      const { state, revision, events } = loaded[i]!;
      const result = appended.get(i);
      if (result === undefined) return { events, state, appended: null, revision, attempts: 1 };
      if (result instanceof WrongExpectedRevisionError) return decideOnStream(store, d.streamName, fold, d.decide, ctx);
      return { events, state: events.reduce(fold.evolve, state), appended: result, revision: result.nextExpectedRevision, attempts: 1 };
    }),
  );
}

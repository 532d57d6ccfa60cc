import { randomUUID } from 'node:crypto';
import type { Actor, AppendResult, EventMetadata, EventStore, ExpectedRevision, NewEvent } from './event-store.port.js';
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

/** What every event of one command execution shares (DESIGN.md §2: who, which command, why). */
export interface CommandContext {
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
  readonly attempts: number;
}

export async function loadState<State, Event extends DomainEvent>(
  store: EventStore,
  streamName: string,
  fold: Fold<State, Event>,
): Promise<{ state: State; revision: ExpectedRevision }> {
  try {
    const recorded = await store.readStream(streamName);
    const state = recorded.reduce((s, e) => fold.evolve(s, e as unknown as Event), fold.initialState);
    return { state, revision: recorded.at(-1)!.streamRevision };
  } catch (error) {
    if (error instanceof StreamNotFoundError) return { state: fold.initialState, revision: 'no_stream' };
    throw error;
  }
}

export function withMetadata(events: readonly DomainEvent[], ctx: CommandContext): NewEvent[] {
  return events.map((event) => ({
    type: event.type,
    data: event.data,
    metadata: metadataFor(ctx),
  }));
}

export function metadataFor(ctx: CommandContext): EventMetadata {
  return {
    eventId: randomUUID(),
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
  decide: (state: State) => readonly Event[],
  ctx: CommandContext,
  maxAttempts = 10,
): Promise<Decision<State, Event>> {
  for (let attempt = 1; ; attempt++) {
    const { state, revision } = await loadState(store, streamName, fold);
    const events = decide(state);
    const next = events.reduce(fold.evolve, state);
    if (events.length === 0) return { events, state: next, appended: null, attempts: attempt };
    try {
      const appended = await store.append(streamName, withMetadata(events, ctx), revision);
      return { events, state: next, appended, attempts: attempt };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxAttempts) throw error;
      // Small jittered pause so many writers on one hot stream do not collide in lock-step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

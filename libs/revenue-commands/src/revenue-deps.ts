import type { DatabasePool } from '#database';
import type { Actor, EventStore, SnapshotStore } from '#event-store';
import type { ChannelRouting, ObservationConfig, RuleSet } from '#revenue';

/** The clock is injected so tests and replays decide with a chosen "now". */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What every revenue command handler needs; provided once under REVENUE_DEPS. */
export interface RevenueDeps {
  readonly store: EventStore;
  /** Read models and platform tables (usage, wallets). */
  readonly pool: DatabasePool;
  readonly clock: Clock;
  readonly ruleSet: RuleSet;
  /** How each action type's channel is delivered (an approval records it); unset: every channel external. */
  readonly channels?: ChannelRouting;
  /** The observation window and price list of observed outcomes; unset: defaultObservationConfig. */
  readonly observation?: ObservationConfig;
  /** Snapshots of org states (a command then folds only the events after its snapshot); unset: every command folds the whole stream. */
  readonly snapshots?: SnapshotStore;
  /** Called after every command on an org stream (metrics: latency, events appended, outcome). */
  readonly observe?: (sample: CommandSample) => void;
}

export interface CommandSample {
  readonly command: string;
  readonly durationMs: number;
  readonly eventsAppended: number;
  readonly outcome: 'ok' | 'error';
}

export const REVENUE_DEPS = Symbol('REVENUE_DEPS');

/** Who sent a command and how it relates to others; becomes every event's metadata. */
export interface CommandMeta {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string | null;
  readonly idempotencyKey?: string;
  /** The org stream revision the caller saw (HTTP If-Match): a different one is a conflict. */
  readonly expectedRevision?: bigint;
}

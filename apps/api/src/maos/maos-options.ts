import type { EventStore, LogPosition } from '#event-store';
import type { Clock } from '#revenue-commands';

/** What the MAOS module needs from the runtime (libs/runtime openRuntime() has all of it). */
export interface MaosOptions {
  readonly store: EventStore;
  /** The ProjectionRunner (only waitFor is used: erasure lets projections pass the head first). */
  readonly projections: { waitFor(name: string, position: LogPosition, timeoutMs: number): Promise<boolean> };
  /** Projections whose rows erasure deletes. Default: revenue-read-model and credit-ledger. */
  readonly projectionNames?: readonly string[];
  readonly clock?: Clock;
  /** How long a running Idempotency-Key blocks retries before a crashed request is taken over. */
  readonly idempotencyLeaseMs?: number;
  /** How long erasure waits for the projections before answering 503. */
  readonly erasureWaitMs?: number;
}

export interface ResolvedMaosOptions extends Required<Omit<MaosOptions, 'clock'>> {
  readonly clock: Clock;
}

export const MAOS_OPTIONS = Symbol('MAOS_OPTIONS');

export function resolveMaosOptions(options: MaosOptions): ResolvedMaosOptions {
  return {
    store: options.store,
    projections: options.projections,
    projectionNames: options.projectionNames ?? ['revenue-read-model', 'credit-ledger'],
    clock: options.clock ?? { now: () => new Date() },
    idempotencyLeaseMs: options.idempotencyLeaseMs ?? 30_000,
    erasureWaitMs: options.erasureWaitMs ?? 30_000,
  };
}

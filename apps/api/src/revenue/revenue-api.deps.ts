import type { EventStore, LogPosition } from '#event-store';
import type { RuleSet } from '#revenue';

/** The part of ProjectionRunner the API needs: read-your-writes works without running the projections here. */
export interface ReadModelWaiter {
  waitFor(name: string, position: LogPosition, timeoutMs: number): Promise<boolean>;
}

/** What the revenue query and audit endpoints need from the runtime (libs/runtime openRuntime()). */
export interface RevenueApiDeps {
  /** Audit reads replay the org stream from here, not from the read model. */
  readonly store: EventStore;
  readonly runner: ReadModelWaiter;
  /** Expansion weights; the same rule set the commands decide with. */
  readonly ruleSet: RuleSet;
  /** Longest wait for X-Min-Position before answering 503 (default 5000 ms). */
  readonly readYourWritesTimeoutMs?: number;
}

export const REVENUE_API_DEPS = Symbol('REVENUE_API_DEPS');

/** The projections a revenue GET reads; a write is visible once both passed its position. */
export const READ_MODEL_PROJECTIONS = ['revenue-read-model', 'credit-ledger'] as const;

import { type DynamicModule, Module } from '@nestjs/common';
import type { EventStore, LogPosition } from '#event-store';
import type { Clock } from '#revenue-commands';
import { defaultObservationConfig, type ObservationConfig, type RuleSet } from '#revenue';

/** The part of ProjectionRunner the API needs: read-your-writes works without running the projections here. */
export interface ReadModelWaiter {
  waitFor(name: string, position: LogPosition, timeoutMs: number): Promise<boolean>;
}

/** What the feature modules need from the runtime (apps/runtime openRuntime() has all of it). */
export interface FeatureDeps {
  /** Audit reads and erasure work on the org streams themselves, not on the read model. */
  readonly store: EventStore;
  readonly projections: ReadModelWaiter;
  /** Expansion weights: the same rule set the commands decide with. */
  readonly ruleSet: RuleSet;
  readonly clock?: Clock;
  /** The observation window the effect report states (the observer's: runtime.deps.observation). */
  readonly observation?: ObservationConfig;
  /** Longest wait for X-Min-Position before answering 503 (default 5000 ms). */
  readonly readYourWritesTimeoutMs?: number;
  /** How long erasure waits for the projections before answering 503 (default 30 s). */
  readonly erasureWaitMs?: number;
}

export type ResolvedFeatureDeps = Required<FeatureDeps>;

export const FEATURE_DEPS = Symbol('FEATURE_DEPS');

/** Provides FEATURE_DEPS to every feature module (global), with defaults filled in. */
@Module({})
export class FeatureDepsModule {
  static forRoot(deps: FeatureDeps): DynamicModule {
    const resolved: ResolvedFeatureDeps = {
      clock: { now: () => new Date() },
      readYourWritesTimeoutMs: 5_000,
      erasureWaitMs: 30_000,
      observation: defaultObservationConfig,
      ...deps,
    };
    return { module: FeatureDepsModule, global: true, providers: [{ provide: FEATURE_DEPS, useValue: resolved }], exports: [FEATURE_DEPS] };
  }
}

import type { DatabasePool } from '#database';
import type { EventStore } from '#event-store';
import type { RetryPolicy } from './batch-apply.js';
import type { ControlSession } from './control-session.js';
import type { ProjectionLogger } from './logger.js';
import type { AnyProjection } from './projection.js';

export interface RunnerSettings {
  /**
   * Events per transaction (the subscription's maxBatchSize and the rebuild's page size).
   * Default 5,000: faster catch-up than 2,000 in the same bench runs (issue 12), rebuild RSS well
   * under 300 MB.
   */
  readonly batchSize: number;
  readonly retry: RetryPolicy;
  /** How often a standby runner tries the advisory lock. */
  readonly lockRetryMs: number;
  /** How often the active runner re-reads its checkpoint row for operator requests (rebuild, resume). */
  readonly controlPollMs: number;
  /** Longest wait for readers to let go of the live tables when swapping a rebuild in. */
  readonly swapLockTimeoutMs: number;
}

export const defaultSettings: RunnerSettings = {
  batchSize: 5000,
  retry: { attempts: 3, backoffMs: 100 },
  lockRetryMs: 1000,
  controlPollMs: 1000,
  swapLockTimeoutMs: 5000,
};

export function resolveSettings(overrides: Partial<RunnerSettings>): RunnerSettings {
  const settings = { ...defaultSettings, ...overrides, retry: { ...defaultSettings.retry, ...overrides.retry } };
  const positive = (label: string, value: number, min: number): void => {
    if (!Number.isInteger(value) || value < min)
      throw new RangeError(`projection runner: ${label} must be an integer >= ${min}, got ${value}`);
  };
  positive('batchSize', settings.batchSize, 1);
  positive('retry.attempts', settings.retry.attempts, 1);
  positive('retry.backoffMs', settings.retry.backoffMs, 0);
  positive('lockRetryMs', settings.lockRetryMs, 1);
  positive('controlPollMs', settings.controlPollMs, 1);
  positive('swapLockTimeoutMs', settings.swapLockTimeoutMs, 1);
  return settings;
}

/** Everything one projection's worker needs while it holds the projection's lock. */
export interface WorkerContext {
  readonly projection: AnyProjection;
  readonly store: EventStore;
  readonly pool: DatabasePool;
  readonly session: ControlSession;
  readonly logger: ProjectionLogger;
  readonly settings: RunnerSettings;
  /** Called after each commit that moved the live checkpoint (wakes waitFor). */
  readonly progressed: () => void;
}

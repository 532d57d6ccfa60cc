import type { DatabasePool } from '#database';
import type { EventStore, LogPosition } from '#event-store';
import { readCheckpoint, requestRebuild, resumeProjection } from './checkpoints.js';
import { ControlSession } from './control-session.js';
import { ProjectionHaltedError, ProjectionTimeoutError, UnknownProjectionError } from './errors.js';
import { stderrLogger, type ProjectionLogger } from './logger.js';
import { ProgressSignal } from './progress-signal.js';
import { assertValidProjections, type AnyProjection } from './projection.js';
import { ProjectionWorker } from './projection-worker.js';
import { readStatus, type LagCounter, type ProjectionStatus } from './status.js';
import { assertDisjointTables } from './table-names.js';
import { waitForPosition } from './wait-for.js';
import { resolveSettings, type RunnerSettings } from './worker-context.js';

export interface ProjectionRunnerOptions extends Partial<RunnerSettings> {
  readonly store: EventStore;
  readonly pool: DatabasePool;
  /** Each projection holds its advisory lock on a dedicated session outside the pool. */
  readonly connectionUrl: string;
  readonly projections: readonly AnyProjection[];
  readonly logger?: ProjectionLogger;
  /** How to count lag (postgresLogLag with the PostgreSQL store); without it lagEvents is null. */
  readonly lag?: LagCounter;
}

/**
 * Runs projections from the event store into PostgreSQL: exactly once per event (batch and
 * checkpoint share a transaction), one active runner per projection across processes,
 * rebuild-and-swap on a version bump or request, dead letters with halt/skip.
 * status(), waitFor(), rebuild() and resume() also work in a process that never start()s
 * (e.g. the API), since they go through the checkpoint table.
 */
export class ProjectionRunner {
  private readonly projections: ReadonlyMap<string, AnyProjection>;
  private readonly workers = new Map<string, ProjectionWorker>();
  private readonly progress = new ProgressSignal();
  private readonly logger: ProjectionLogger;

  constructor(private readonly options: ProjectionRunnerOptions) {
    assertValidProjections(options.projections);
    assertDisjointTables(options.projections);
    this.projections = new Map(options.projections.map((p) => [p.name, p]));
    this.logger = options.logger ?? stderrLogger;
    const settings = resolveSettings(options);
    for (const projection of options.projections) {
      const session = new ControlSession(options.connectionUrl, projection.name);
      const ctx = {
        projection,
        store: options.store,
        pool: options.pool,
        session,
        logger: this.logger,
        settings,
        progressed: () => this.progress.notify(),
      };
      this.workers.set(projection.name, new ProjectionWorker(ctx));
    }
  }

  /** Starts every projection's worker: each waits for its lock, then runs. Idempotent. */
  start(): void {
    for (const worker of this.workers.values()) worker.start();
  }

  /** Graceful shutdown: in-flight batches finish and commit, then the locks are released. */
  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }

  status(): Promise<ProjectionStatus[]> {
    return readStatus(
      this.options.pool,
      [...this.projections.values()],
      this.options.lag,
      (name) => this.workers.get(name)?.isActive ?? false,
    );
  }

  /** Read-your-writes: true once the projection's live tables include `position`; false on timeout or halt. */
  waitFor(name: string, position: LogPosition, timeoutMs: number): Promise<boolean> {
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new RangeError(`timeoutMs must be >= 0, got ${timeoutMs}`);
    return waitForPosition(
      { pool: this.options.pool, store: this.options.store, progress: this.progress },
      this.get(name),
      position,
      timeoutMs,
    );
  }

  /** Every projection of this runner includes `position` (waited for together, one deadline); false otherwise. */
  async waitForAll(position: LogPosition, timeoutMs: number): Promise<boolean> {
    const passed = await Promise.all([...this.projections.keys()].map((name) => this.waitFor(name, position, timeoutMs)));
    return passed.every(Boolean);
  }

  /**
   * Rebuilds from position zero and swaps the result in; resolves once swapped. The active
   * runner does the work, wherever it runs (the request goes through the checkpoint row).
   * Throws ProjectionHaltedError if the rebuild halts, ProjectionTimeoutError after timeoutMs.
   */
  async rebuild(name: string, options: { readonly timeoutMs?: number } = {}): Promise<void> {
    const projection = this.get(name);
    await requestRebuild(this.options.pool, name, projection.version);
    this.workers.get(name)?.poke();
    const deadline = Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
    for (;;) {
      const row = await readCheckpoint(this.options.pool, name);
      // While the request is pending the row may still show an older halt; after that, a halt is the rebuild's.
      if (row && !row.rebuildRequested) {
        if (row.status === 'halted') throw new ProjectionHaltedError(name, row.haltedReason);
        if (row.rebuildVersion === null && row.status === 'running') return;
      }
      if (Date.now() >= deadline) throw new ProjectionTimeoutError(name, 'rebuild', options.timeoutMs ?? 0);
      await this.progress.next(Math.min(100, Math.max(1, deadline - Date.now())));
    }
  }

  /** Clears a halt: the parked event is tried again first. False when it was not halted. */
  async resume(name: string): Promise<boolean> {
    this.get(name);
    const resumed = await resumeProjection(this.options.pool, name);
    this.workers.get(name)?.poke();
    return resumed;
  }

  private get(name: string): AnyProjection {
    const projection = this.projections.get(name);
    if (!projection) throw new UnknownProjectionError(name);
    return projection;
  }
}

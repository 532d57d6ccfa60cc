import type { CheckpointRow } from './checkpoints.js';
import { insertCheckpoint, readCheckpoint } from './checkpoints.js';
import { decideMode } from './decide-mode.js';
import { describeError } from './dead-letters.js';
import { runLive } from './live-run.js';
import { sleep } from './sleep.js';
import { runRebuild } from './rebuild-run.js';
import { validatePending } from './table-swap.js';
import { sql } from '#database';
import { projectionTables } from './table-names.js';
import type { WorkerContext } from './worker-context.js';

/**
 * Runs one projection: waits for its advisory lock (one active runner across processes), then
 * acts on the checkpoint row (live, rebuild, halted) until stopped. Any error releases the lock
 * and starts over after a pause; the checkpoint fence makes that safe at any point.
 */
export class ProjectionWorker {
  private readonly stopping = new AbortController();
  private poked = new AbortController();
  private loop: Promise<void> | null = null;
  private active = false;

  constructor(private readonly ctx: WorkerContext) {}

  get isActive(): boolean {
    return this.active;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the batch in flight, then releases the lock. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /** Re-read the checkpoint row now (e.g. a rebuild was just requested in this process). */
  poke(): void {
    this.poked.abort();
  }

  private async run(): Promise<void> {
    const { projection, session, logger, settings } = this.ctx;
    const stop = this.stopping.signal;
    while (!stop.aborted) {
      let pauseMs = 0;
      try {
        if (!(await session.acquire(settings.lockRetryMs, stop))) break;
        this.active = true;
        logger.info({ projection: projection.name }, 'projection lock acquired: this runner is active');
        await validatePending(session, projection.name, logger);
        // Passive: release the lock and look again much later, so the newer runner can take it.
        if ((await this.whileOwned(stop)) === 'passive') pauseMs = settings.lockRetryMs * 10;
      } catch (error) {
        if (!stop.aborted) logger.error({ projection: projection.name, error: describeError(error) }, 'projection runner failed; retrying');
        pauseMs = settings.lockRetryMs;
      } finally {
        this.active = false;
        await session.release();
      }
      await sleep(pauseMs, stop);
    }
  }

  private async whileOwned(stop: AbortSignal): Promise<'stopped' | 'passive'> {
    const { projection, logger, session } = this.ctx;
    while (!stop.aborted) {
      session.lost.throwIfAborted();
      this.poked = new AbortController();
      const signal = AbortSignal.any([stop, session.lost, this.poked.signal]);
      const row = await this.ensureRow();
      const mode = decideMode(row, projection);
      if (mode === 'passive') {
        logger.warn(
          { projection: projection.name, version: projection.version, tablesVersion: row.version },
          'projection belongs to newer code; standing by',
        );
        return 'passive';
      }
      if (mode === 'live') await runLive(this.ctx, row, signal);
      else if (mode === 'rebuild') await runRebuild(this.ctx, row, signal);
      else await this.whileHalted(row, signal);
    }
    return 'stopped';
  }

  private async whileHalted(row: CheckpointRow, signal: AbortSignal): Promise<void> {
    const { projection, logger, pool, settings } = this.ctx;
    logger.error({ projection: projection.name, reason: row.haltedReason }, 'projection is HALTED: resume it (CLI) or request a rebuild');
    while (!signal.aborted) {
      await sleep(settings.controlPollMs, signal);
      if (signal.aborted) return;
      const now = await readCheckpoint(pool, projection.name);
      if (!now || decideMode(now, projection) !== 'halted') return;
    }
  }

  /** First start: empty tables are built live from zero; tables with rows from before the runner are rebuilt (version 0). */
  private async ensureRow(): Promise<CheckpointRow> {
    const { projection, pool } = this.ctx;
    const existing = await readCheckpoint(pool, projection.name);
    if (existing) return existing;
    const tables = projectionTables(projection, 'live');
    const checks = projection.tables.map((t) => sql.fragment`NOT EXISTS (SELECT 1 FROM ${tables.of(t)})`);
    const empty = await pool.oneFirst(sql.unsafe`SELECT ${sql.join(checks, sql.fragment` AND `)} AS empty`);
    await insertCheckpoint(pool, projection.name, empty ? projection.version : 0);
    const created = await readCheckpoint(pool, projection.name);
    if (!created) throw new Error(`checkpoint row of ${projection.name} vanished`);
    return created;
  }
}

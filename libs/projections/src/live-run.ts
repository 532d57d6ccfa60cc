import { applyBatch } from './batch-apply.js';
import { readCheckpoint, type CheckpointRow } from './checkpoints.js';
import { decideMode } from './decide-mode.js';
import { describeError } from './dead-letters.js';
import { sleep } from './sleep.js';
import { prefetch } from './prefetch.js';
import { projectionTables } from './table-names.js';
import type { WorkerContext } from './worker-context.js';

/**
 * Follows the log into the live tables until stopped, halted, or the checkpoint row asks for
 * something else (a rebuild request from the CLI or another process). A batch already being
 * applied always finishes: the signal is only checked between batches.
 */
export async function runLive(ctx: WorkerContext, row: CheckpointRow, outer: AbortSignal): Promise<void> {
  const { projection, logger } = ctx;
  const local = new AbortController();
  const signal = AbortSignal.any([outer, local.signal]);
  const watcher = watchControlRow(ctx, local, signal);
  const target = {
    pool: ctx.pool,
    projection,
    lane: 'live' as const,
    tables: projectionTables(projection, 'live'),
    retry: ctx.settings.retry,
    logger,
  };
  let position = row.position;
  try {
    const batches = ctx.store.subscribeToAll({
      ...(position ? { after: position } : {}),
      eventTypes: projection.eventTypes,
      maxBatchSize: ctx.settings.batchSize,
      signal,
    });
    for await (const events of prefetch(batches)) {
      if (signal.aborted) break;
      if (events.length === 0) continue;
      const outcome = await applyBatch(target, position, events);
      position = outcome.position;
      ctx.progressed();
      if (outcome.kind === 'halted') break;
    }
  } catch (error) {
    // An adapter may end its iterator by throwing once aborted; that is our own stop, not a failure.
    if (!signal.aborted) throw error;
  } finally {
    // Ends the subscription's pending read (prefetch left it running) and the watcher.
    local.abort();
    await watcher;
  }
}

/** Aborts the live run when the row no longer says 'live' (polled: an idle subscription yields nothing). */
async function watchControlRow(ctx: WorkerContext, controller: AbortController, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    await sleep(ctx.settings.controlPollMs, signal);
    if (signal.aborted) return;
    try {
      const row = await readCheckpoint(ctx.pool, ctx.projection.name);
      if (!row || decideMode(row, ctx.projection) !== 'live') controller.abort();
    } catch (error) {
      ctx.logger.warn({ projection: ctx.projection.name, error: describeError(error) }, 'projection control poll failed');
    }
  }
}

import { formatPosition } from '#event-store';
import { applyBatch } from './batch-apply.js';
import { haltRebuild, type CheckpointRow } from './checkpoints.js';
import { RebuildBlockedError } from './errors.js';
import { prefetch } from './prefetch.js';
import { readToHead } from './read-to-head.js';
import { createShadows, shadowsExist, swapShadows } from './table-swap.js';
import { projectionTables } from './table-names.js';
import type { WorkerContext } from './worker-context.js';

/**
 * Rebuilds from position zero into shadow tables, catches up to the head, then swaps them in.
 * The rebuild lane has its own checkpoint, advanced with each shadow batch, so a crash or a
 * stop resumes where it was instead of starting over.
 */
export async function runRebuild(ctx: WorkerContext, row: CheckpointRow, signal: AbortSignal): Promise<void> {
  const { projection, logger, session } = ctx;
  const resumable = row.status === 'rebuilding' && row.rebuildVersion === projection.version && (await shadowsExist(session, projection));
  let position = resumable ? row.rebuildPosition : null;
  try {
    if (!resumable) await createShadows(session, projection);
    logger.info(
      { projection: projection.name, version: projection.version, resumedAt: position ? formatPosition(position) : null },
      resumable ? 'projection rebuild resumed' : 'projection rebuild started',
    );

    const target = {
      pool: ctx.pool,
      projection,
      lane: 'rebuild' as const,
      tables: projectionTables(projection, 'shadow'),
      retry: ctx.settings.retry,
      logger,
    };
    let applied = 0;
    for await (const events of prefetch(readToHead(ctx.store, position, projection.eventTypes, ctx.settings.batchSize, signal))) {
      if (signal.aborted) return;
      const outcome = await applyBatch(target, position, events);
      position = outcome.position;
      applied += events.length;
      if (outcome.kind === 'halted') return;
    }
    if (signal.aborted) return;

    await swapShadows(session, projection, { rebuiltTo: position, lockTimeoutMs: ctx.settings.swapLockTimeoutMs, logger });
    ctx.progressed();
    logger.info(
      { projection: projection.name, version: projection.version, events: applied, position: position ? formatPosition(position) : null },
      'projection rebuilt and swapped in',
    );
  } catch (error) {
    if (!(error instanceof RebuildBlockedError)) throw error;
    await haltRebuild(ctx.pool, projection.name, error.message);
    logger.error({ projection: projection.name, blockers: error.blockers }, 'projection HALTED: rebuild cannot swap its tables in');
  }
}

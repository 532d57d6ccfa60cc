import type { CheckpointRow } from './checkpoints.js';
import type { Projection } from './projection.js';

/**
 * What the runner holding a projection's lock does next, from its checkpoint row:
 * - passive: the row belongs to newer code (rolling deploy); never rebuild backwards.
 * - rebuild: requested (an explicit operator action, so it also ends a halt), in progress
 *   (resume it), or the code's version is newer than the live tables.
 * - halted: wait for an operator: resume (which then rebuilds if the version is newer) or rebuild.
 * - live: follow the log into the live tables.
 */
export type RunMode = 'passive' | 'rebuild' | 'halted' | 'live';

export function decideMode(row: CheckpointRow, projection: Pick<Projection, 'version'>): RunMode {
  if (row.version > projection.version || (row.rebuildVersion ?? 0) > projection.version) return 'passive';
  if (row.rebuildRequested) return 'rebuild';
  if (row.status === 'halted') return 'halted';
  if (row.status === 'rebuilding' || row.version < projection.version) return 'rebuild';
  return 'live';
}

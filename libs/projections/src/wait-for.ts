import type { DatabasePool } from '#database';
import { comparePositions, type EventStore, type LogPosition } from '#event-store';
import { readCheckpoint } from './checkpoints.js';
import type { ProgressSignal } from './progress-signal.js';
import type { AnyProjection } from './projection.js';

const POLL_MS = 50;

/**
 * Read-your-writes: resolves true once the live tables reflect every event up to `target`,
 * false after `timeoutMs` (or at once when the projection is halted). Works in any process (it reads the checkpoint row), and wakes early
 * when this process's runner commits.
 */
export async function waitForPosition(
  deps: { readonly pool: DatabasePool; readonly store: EventStore; readonly progress: ProgressSignal },
  projection: AnyProjection,
  target: LogPosition,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await readCheckpoint(deps.pool, projection.name);
    const position = row?.position ?? null;
    if (position && comparePositions(position, target) >= 0) return true;
    if (row?.status === 'halted') return false; // it will not move until an operator acts
    if (row && (await nothingToApplyUpTo(deps.store, projection, position, target))) return true;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return false;
    await deps.progress.next(Math.min(POLL_MS, remaining));
  }
}

/**
 * The checkpoint only moves on events of the projection's types, so a write of other types
 * would never be "passed". It is passed anyway when the target is visible (no writer can still
 * commit before it) and no event of the projection's types lies between checkpoint and target.
 */
async function nothingToApplyUpTo(
  store: EventStore,
  projection: AnyProjection,
  position: LogPosition | null,
  target: LogPosition,
): Promise<boolean> {
  const head = await store.headPosition();
  if (!head || comparePositions(head, target) < 0) return false;
  const [next] = await store.readAll({ ...(position ? { after: position } : {}), eventTypes: projection.eventTypes, maxCount: 1 });
  return !next || comparePositions(next.position, target) > 0;
}

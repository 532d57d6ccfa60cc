import { sql, type CommonQueryMethods, type DatabaseTransactionConnection } from '#database';
import type { LogPosition } from '#event-store';
import { CheckpointConflictError } from './errors.js';

export type CheckpointStatus = 'running' | 'rebuilding' | 'halted';

export interface CheckpointRow {
  readonly name: string;
  /** Version that built the live tables (0: built before the runner knew them). */
  readonly version: number;
  readonly position: LogPosition | null;
  readonly status: CheckpointStatus;
  readonly rebuildRequested: boolean;
  readonly rebuildVersion: number | null;
  readonly rebuildPosition: LogPosition | null;
  readonly haltedReason: string | null;
}

/** The live tables and a rebuild's shadows each have their own checkpoint columns in the row. */
export type Lane = 'live' | 'rebuild';

const LANE = {
  live: { status: 'running', version: 'version', commit: 'commit_position', prepare: 'prepare_position' },
  rebuild: { status: 'rebuilding', version: 'rebuild_version', commit: 'rebuild_commit_position', prepare: 'rebuild_prepare_position' },
} as const;

function pair(commit: bigint | null, prepare: bigint | null): LogPosition | null {
  return commit === null || prepare === null ? null : { commit, prepare };
}

export async function readCheckpoints(db: CommonQueryMethods, names: readonly string[]): Promise<Map<string, CheckpointRow>> {
  const rows = await db.any(sql.unsafe`
    SELECT * FROM projection_checkpoints WHERE name = ANY(${sql.array(names, 'text')})`);
  return new Map(
    rows.map((r) => [
      r.name as string,
      {
        name: r.name,
        version: r.version,
        position: pair(r.commit_position, r.prepare_position),
        status: r.status,
        rebuildRequested: r.rebuild_requested,
        rebuildVersion: r.rebuild_version,
        rebuildPosition: pair(r.rebuild_commit_position, r.rebuild_prepare_position),
        haltedReason: r.halted_reason,
      } satisfies CheckpointRow,
    ]),
  );
}

export async function readCheckpoint(db: CommonQueryMethods, name: string): Promise<CheckpointRow | null> {
  return (await readCheckpoints(db, [name])).get(name) ?? null;
}

/** First start of a projection: no-op when the row exists (another runner may have raced us). */
export async function insertCheckpoint(db: CommonQueryMethods, name: string, version: number): Promise<void> {
  await db.query(sql.unsafe`
    INSERT INTO projection_checkpoints (name, version) VALUES (${name}, ${version}) ON CONFLICT (name) DO NOTHING`);
}

/**
 * Fencing, first statement of every batch transaction: locks the row only if it still holds
 * the position this runner last wrote. Two runners can never both apply a batch from the same
 * position, even if the advisory lock was lost in between.
 */
export async function lockLane(
  tx: DatabaseTransactionConnection,
  name: string,
  lane: Lane,
  version: number,
  from: LogPosition | null,
): Promise<void> {
  const c = LANE[lane];
  const found = await tx.maybeOne(sql.unsafe`
    SELECT 1 FROM projection_checkpoints
    WHERE name = ${name} AND status = ${c.status} AND ${sql.identifier([c.version])} = ${version}
      AND ${sql.identifier([c.commit])} IS NOT DISTINCT FROM ${from?.commit ?? null}::int8
      AND ${sql.identifier([c.prepare])} IS NOT DISTINCT FROM ${from?.prepare ?? null}::int8
    FOR UPDATE`);
  if (!found) throw new CheckpointConflictError(name);
}

/** Moves the lane's checkpoint (after lockLane, same transaction); with `haltReason` also halts. */
export async function setLane(
  tx: DatabaseTransactionConnection,
  name: string,
  lane: Lane,
  to: LogPosition | null,
  haltReason?: string,
): Promise<void> {
  const c = LANE[lane];
  await tx.query(sql.unsafe`
    UPDATE projection_checkpoints
    SET ${sql.identifier([c.commit])} = ${to?.commit ?? null}::int8,
        ${sql.identifier([c.prepare])} = ${to?.prepare ?? null}::int8,
        status = CASE WHEN ${haltReason ?? null}::text IS NULL THEN status ELSE 'halted' END,
        halted_reason = coalesce(${haltReason ?? null}::text, halted_reason),
        updated_at = now()
    WHERE name = ${name}`);
}

/**
 * Halts without moving a checkpoint: a rebuild that cannot swap its tables in. The request is
 * consumed, so the runner does not retry it in a loop; resume or a new request tries again.
 */
export async function haltRebuild(db: CommonQueryMethods, name: string, reason: string): Promise<void> {
  await db.query(sql.unsafe`
    UPDATE projection_checkpoints SET status = 'halted', halted_reason = ${reason}, rebuild_requested = false, updated_at = now()
    WHERE name = ${name}`);
}

/** Operator's "I fixed it, try again": the parked event is retried first. False if it was not halted. */
export async function resumeProjection(db: CommonQueryMethods, name: string): Promise<boolean> {
  const row = await db.maybeOne(sql.unsafe`
    UPDATE projection_checkpoints
    SET status = CASE WHEN rebuild_version IS NULL THEN 'running' ELSE 'rebuilding' END, halted_reason = NULL, updated_at = now()
    WHERE name = ${name} AND status = 'halted'
    RETURNING name`);
  return row !== null;
}

/** Asks whichever runner is active (in any process) to rebuild; creates the row when missing. */
export async function requestRebuild(db: CommonQueryMethods, name: string, version: number): Promise<void> {
  await db.query(sql.unsafe`
    INSERT INTO projection_checkpoints (name, version, rebuild_requested) VALUES (${name}, ${version}, true)
    ON CONFLICT (name) DO UPDATE SET rebuild_requested = true, updated_at = now()`);
}

import { sql, type DatabasePool } from '#database';
import type { LogPosition } from '#event-store';
import { readCheckpoints } from './checkpoints.js';
import { countParked } from './dead-letters.js';
import type { AnyProjection } from './projection.js';

export type ProjectionState = 'pending' | 'running' | 'rebuilding' | 'halted';

export interface ProjectionStatus {
  readonly name: string;
  /** The version declared in code. */
  readonly version: number;
  /** Version of the code that built the live tables (differs while a version bump rebuilds); null before the first start. */
  readonly liveVersion: number | null;
  /** 'pending': no runner has started it yet. */
  readonly state: ProjectionState;
  /** Live checkpoint: the last event in the live tables. */
  readonly position: LogPosition | null;
  /** Events of its types in the log after `position`; null when the store cannot tell. */
  readonly lagEvents: number | null;
  readonly parkedCount: number;
  readonly haltedReason: string | null;
  readonly rebuild: { readonly version: number; readonly position: LogPosition | null } | null;
  /** True when the runner asked holds the projection's lock (one process does). */
  readonly activeHere: boolean;
}

/** Counts the events of the given types in the log after a position (null: not countable). */
export type LagCounter = (after: LogPosition | null, eventTypes: readonly string[]) => Promise<number | null>;

/**
 * Lag read straight from the PostgreSQL event store (migration 104), gap-safe like its readers:
 * only events of transactions every reader can already see count (the readers' own horizon,
 * event_store.log_horizon(): a transaction open in another database of the cluster holds back
 * pg_snapshot_xmin but not the log's readers, and must not make the lag read 0; a sub-select, so
 * it is evaluated once, not per row). Wire it only when that store is the one projected (with EventStoreDB the local table is empty and would lie).
 */
export function postgresLogLag(pool: DatabasePool): LagCounter {
  return async (after, eventTypes) => {
    const afterCondition = after
      ? sql.fragment`AND (transaction_id, global_position) > (${after.commit.toString()}::xid8, ${after.prepare}::int8)`
      : sql.fragment``;
    const count = await pool.oneFirst(sql.unsafe`
      SELECT count(*) FROM event_store.events
      WHERE transaction_id < (SELECT event_store.log_horizon())
        AND event_type = ANY(${sql.array(eventTypes, 'text')}) ${afterCondition}`);
    return Number(count);
  };
}

export async function readStatus(
  pool: DatabasePool,
  projections: readonly AnyProjection[],
  lag: LagCounter | undefined,
  isActiveHere: (name: string) => boolean,
): Promise<ProjectionStatus[]> {
  const names = projections.map((p) => p.name);
  const [rows, parked] = await Promise.all([readCheckpoints(pool, names), countParked(pool, names)]);
  return Promise.all(
    projections.map(async (projection): Promise<ProjectionStatus> => {
      const row = rows.get(projection.name);
      const position = row?.position ?? null;
      return {
        name: projection.name,
        version: projection.version,
        liveVersion: row?.version ?? null,
        state: row?.status ?? 'pending',
        position,
        lagEvents: lag ? await lag(position, projection.eventTypes) : null,
        parkedCount: parked.get(projection.name) ?? 0,
        haltedReason: row?.haltedReason ?? null,
        rebuild: row?.rebuildVersion ? { version: row.rebuildVersion, position: row.rebuildPosition } : null,
        activeHere: isActiveHere(projection.name),
      };
    }),
  );
}

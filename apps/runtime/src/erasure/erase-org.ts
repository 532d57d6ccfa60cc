import { sql, type DatabasePool } from '#database';
import {
  type AppendContext,
  type EventStore,
  type LogPosition,
  formatPosition,
  PostgresSnapshotStore,
  StreamNotFoundError,
  withMetadata,
} from '#event-store';
import { allProjections } from '#read-models';
import { revenueStreamName } from '#revenue';
import { ERASURE_STREAM, type ErasedCounts, nothingErased, orgErasedEvent } from './erasure-record.js';

/** The events are gone but the projections have not passed the log head: the rows cannot be erased safely yet. */
export class ProjectionsBehindError extends Error {
  constructor() {
    super(
      'The projections have not caught up, so the read rows cannot be erased safely yet. The events are deleted; retry the erasure shortly.',
    );
    this.name = 'ProjectionsBehindError';
  }
}

export interface ErasureDeps {
  readonly store: EventStore;
  readonly pool: DatabasePool;
  /** True once every projection writing the org's rows has passed `position`. */
  waitForProjections(position: LogPosition): Promise<boolean>;
}

export interface ErasureOutcome {
  readonly erased: boolean;
  readonly counts: ErasedCounts;
  /** Log position of the erasure record; null when there was nothing to erase. */
  readonly position: string | null;
}

/**
 * Erases one org's revenue data: its event stream, then its read rows, then records the
 * erasure. The rows go only after the projections have passed the log head, so a batch that
 * read the org's events before the delete cannot re-create them afterwards. Idempotent: a
 * second run finds nothing and records nothing. With EventStoreDB, deleteStream is a soft
 * delete: the events stay on disk until the next scavenge.
 */
export async function eraseOrg(deps: ErasureDeps, orgId: string, ctx: Omit<AppendContext, 'command'>): Promise<ErasureOutcome> {
  const stream = revenueStreamName(orgId);
  let events = 0;
  try {
    events = (await deps.store.readStream(stream)).length;
    await deps.store.deleteStream(stream);
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  // The snapshot holds the org's folded state: it goes with the events (event_store.snapshots, migration 117).
  await new PostgresSnapshotStore(deps.pool).delete(stream);
  const head = await deps.store.headPosition();
  if (head && !(await deps.waitForProjections(head))) {
    throw new ProjectionsBehindError();
  }
  const rows = await deleteReadRows(deps.pool, orgId);
  const counts: ErasedCounts = { events, ...rows };
  if (nothingErased(counts)) return { erased: false, counts, position: null };
  const record = withMetadata([orgErasedEvent(orgId, counts, ctx.now)], { ...ctx, command: 'EraseOrganization' });
  const appended = await deps.store.append(ERASURE_STREAM, record, 'any');
  return { erased: true, counts, position: formatPosition(appended.position) };
}

async function deleteReadRows(pool: DatabasePool, orgId: string): Promise<Omit<ErasedCounts, 'events'>> {
  return pool.transaction(async (tx) => {
    const count = async (statement: ReturnType<typeof sql.unsafe>) => Number(await tx.oneFirst(statement));
    // Actions explicitly (not only by cascade) so they can be counted, including rows without org_id.
    const actions = await count(sql.unsafe`
      WITH d AS (DELETE FROM revenue_actions WHERE org_id = ${orgId}
        OR opportunity_id IN (SELECT id FROM revenue_opportunities WHERE org_id = ${orgId}) RETURNING 1)
      SELECT count(*) FROM d`);
    const opportunities = await count(
      sql.unsafe`WITH d AS (DELETE FROM revenue_opportunities WHERE org_id = ${orgId} RETURNING 1) SELECT count(*) FROM d`,
    );
    const orgStreams = await count(
      sql.unsafe`WITH d AS (DELETE FROM revenue_org_streams WHERE org_id = ${orgId} RETURNING 1) SELECT count(*) FROM d`,
    );
    const ledgerEntries = await count(
      sql.unsafe`WITH d AS (DELETE FROM credit_ledger WHERE org_id = ${orgId} RETURNING 1) SELECT count(*) FROM d`,
    );
    // The outbox holds ids only; it goes too (not counted: the erasure record's shape is versioned).
    await tx.query(sql.unsafe`
      DELETE FROM outbox_deliveries d USING action_outbox o
      WHERE o.org_id = ${orgId} AND d.kind = o.kind AND d.action_id = o.action_id`);
    await tx.query(sql.unsafe`DELETE FROM action_outbox WHERE org_id = ${orgId}`);
    // The dashboard's daily aggregates and their per-opportunity state (not counted either).
    await tx.query(sql.unsafe`DELETE FROM revenue_daily_opportunities WHERE org_id = ${orgId}`);
    await tx.query(sql.unsafe`DELETE FROM revenue_daily_actions WHERE org_id = ${orgId}`);
    await tx.query(sql.unsafe`DELETE FROM revenue_daily_opportunity_state WHERE org_id = ${orgId}`);
    // Its stream is gone, so a sweep would decide it afresh: the incremental sweep is told so.
    await tx.query(sql.unsafe`INSERT INTO revenue_usage_changes (org_id) VALUES (${orgId})`);
    return { opportunities, actions, orgStreams, ledgerEntries };
  });
}

/**
 * Erasure over a runtime (the API and the CLI): the rows go once every projection has passed
 * the log head, waiting at most `waitMs`.
 */
export function erasureDeps(runtime: { store: EventStore; pool: DatabasePool; runner: ProjectionWaiter }, waitMs: number): ErasureDeps {
  return {
    store: runtime.store,
    pool: runtime.pool,
    async waitForProjections(position) {
      const passed = await Promise.all(allProjections.map((p) => runtime.runner.waitFor(p.name, position, waitMs)));
      return passed.every(Boolean);
    },
  };
}

interface ProjectionWaiter {
  waitFor(name: string, position: LogPosition, timeoutMs: number): Promise<boolean>;
}

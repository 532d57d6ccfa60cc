import { sql, type DatabaseTransactionConnection } from '#database';
import type { RecordedEvent } from '#event-store';
import type { Projection, ProjectionTables } from '#projection-runner';
import { ALL_REVENUE_EVENT_TYPES, orgIdFromStreamName, type RevenueEvent } from '#revenue';
import { runsOfSameType } from '../support/batch.js';
import { applyTransitions, insertProposed } from './action-rows.sql.js';
import { applyClosed, applyRefreshed, insertDetected, markActioned } from './opportunity-rows.sql.js';

/**
 * The query side of the revenue domain: revenue_opportunities and revenue_actions as migration
 * 103 defines them (plus lifecycle columns, 106), and the projected revision of each org stream,
 * which the fleet sweep uses as its expected revision.
 */
export const revenueReadModel: Projection = {
  name: 'revenue-read-model',
  version: 1,
  eventTypes: ALL_REVENUE_EVENT_TYPES,
  tables: ['revenue_opportunities', 'revenue_actions', 'revenue_org_streams'],
  onError: 'halt',
  async apply(tx, events, tables) {
    for (const run of runsOfSameType(events)) await applyRun(tx, tables, run);
    await advanceStreamRevisions(tx, tables, events);
  },
};

async function applyRun(tx: DatabaseTransactionConnection, tables: ProjectionTables, run: RecordedEvent[]): Promise<void> {
  const typed = run as unknown as RevenueEvent[];
  switch (typed[0]!.type) {
    case 'revenue.opportunity-detected.v1':
      return insertDetected(tx, tables, typed as Extract<RevenueEvent, { type: 'revenue.opportunity-detected.v1' }>[]);
    case 'revenue.opportunity-refreshed.v1':
      return applyRefreshed(tx, tables, typed as Extract<RevenueEvent, { type: 'revenue.opportunity-refreshed.v1' }>[]);
    case 'revenue.opportunity-closed.v1':
      return applyClosed(tx, tables, typed as Extract<RevenueEvent, { type: 'revenue.opportunity-closed.v1' }>[]);
    case 'revenue.action-proposed.v1': {
      const proposed = typed as Extract<RevenueEvent, { type: 'revenue.action-proposed.v1' }>[];
      await insertProposed(tx, tables, proposed);
      return markActioned(tx, tables, proposed);
    }
    case 'revenue.action-run-stopped.v1':
      return; // audit only: the reason lives in the stream
    default:
      return applyTransitions(tx, tables, run);
  }
}

async function advanceStreamRevisions(
  tx: DatabaseTransactionConnection,
  tables: ProjectionTables,
  events: readonly RecordedEvent[],
): Promise<void> {
  const latest = new Map<string, bigint>();
  for (const e of events) {
    const orgId = orgIdFromStreamName(e.streamName);
    if (orgId) latest.set(orgId, e.streamRevision);
  }
  if (latest.size === 0) return;
  const rows = [...latest].map(([orgId, revision]) => [orgId, revision.toString()]);
  await tx.query(sql.unsafe`
    INSERT INTO ${tables.of('revenue_org_streams')} AS s (org_id, stream_revision, updated_at)
    SELECT org_id, revision, now() FROM ${sql.unnest(rows, ['uuid', 'int8'])} AS t(org_id, revision)
    ON CONFLICT (org_id) DO UPDATE SET stream_revision = greatest(EXCLUDED.stream_revision, s.stream_revision), updated_at = now()`);
}

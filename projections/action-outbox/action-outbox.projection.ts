import { sql, type DatabaseTransactionConnection } from '#database';
import type { Projection, ProjectionTables } from '#projection-runner';
import {
  REVENUE_EVENT_TYPES,
  type ActionApproved,
  type ActionDeliveryQueued,
  type ActionExpired,
  type ActionFailed,
  type ActionProposed,
  type ActionRejected,
  type ActionSent,
} from '#revenue';
import { lastPerKey, runsAcrossStreams } from '../support/batch.js';

type OutboxEvent = ActionDeliveryQueued | ActionProposed | ActionApproved | ActionRejected | ActionExpired | ActionSent | ActionFailed;

/**
 * What the engine must send (migration 110): deliveries queued with an approval, and proposals
 * MAOS may be notified of. An entry is settled by the event that makes it moot: a delivery by
 * sent / failed / expired, a proposal notice by its approval, rejection or expiry. The
 * dispatcher's attempts live beside it in outbox_deliveries, which no projection owns, so a
 * rebuild neither resets them nor brings back an entry that was settled.
 */
export const actionOutbox: Projection<OutboxEvent> = {
  name: 'action-outbox',
  version: 1,
  eventTypes: [
    REVENUE_EVENT_TYPES.actionDeliveryQueued,
    REVENUE_EVENT_TYPES.actionProposed,
    REVENUE_EVENT_TYPES.actionApproved,
    REVENUE_EVENT_TYPES.actionRejected,
    REVENUE_EVENT_TYPES.actionExpired,
    REVENUE_EVENT_TYPES.actionSent,
    REVENUE_EVENT_TYPES.actionFailed,
  ],
  tables: ['action_outbox'],
  onError: 'halt',
  async apply(tx, events, tables) {
    for (const run of runsAcrossStreams(events)) {
      switch (run.type) {
        case 'revenue.action-delivery-queued.v1':
          await enqueue(
            tx,
            tables,
            run.events.map(({ data: d }) => ['delivery', d.actionId, d.orgId, d.opportunityId, d.actionType, d.channelKind, d.queuedAt]),
          );
          break;
        case 'revenue.action-proposed.v1':
          await enqueue(
            tx,
            tables,
            run.events.map(({ data: d }) => ['proposal', d.actionId, d.orgId, d.opportunityId, d.actionType, 'maos', d.proposedAt]),
          );
          break;
        case 'revenue.action-approved.v1':
          await settle(tx, tables, 'proposal', 'approved', run.events, (d) => d.approvedAt);
          break;
        case 'revenue.action-rejected.v1':
          await settle(tx, tables, 'proposal', 'rejected', run.events, (d) => d.rejectedAt);
          break;
        case 'revenue.action-expired.v1':
          // A proposal, or an approved action whose delivery had not been recorded yet.
          await settle(tx, tables, 'proposal', 'expired', run.events, (d) => d.expiredAt);
          await settle(tx, tables, 'delivery', 'expired', run.events, (d) => d.expiredAt);
          break;
        case 'revenue.action-sent.v1':
          await settle(tx, tables, 'delivery', 'sent', run.events, (d) => d.sentAt);
          break;
        case 'revenue.action-failed.v1':
          await settle(tx, tables, 'delivery', 'failed', run.events, (d) => d.failedAt);
          break;
      }
    }
  },
};

async function enqueue(tx: DatabaseTransactionConnection, tables: ProjectionTables, rows: readonly (readonly string[])[]): Promise<void> {
  // ON CONFLICT: a re-applied event finds its row.
  await tx.query(sql.unsafe`
    INSERT INTO ${tables.of('action_outbox')} (kind, action_id, org_id, opportunity_id, action_type, channel_kind, queued_at)
    SELECT * FROM ${sql.unnest(rows, ['text', 'uuid', 'uuid', 'uuid', 'text', 'text', 'timestamptz'])}
    ON CONFLICT (kind, action_id) DO NOTHING`);
}

async function settle<E extends { readonly data: { readonly actionId: string } }>(
  tx: DatabaseTransactionConnection,
  tables: ProjectionTables,
  kind: 'delivery' | 'proposal',
  as: string,
  events: readonly E[],
  at: (data: E['data']) => string,
): Promise<void> {
  const rows = lastPerKey(events, (e) => e.data.actionId).map((e) => [e.data.actionId, at(e.data)]);
  await tx.query(sql.unsafe`
    UPDATE ${tables.of('action_outbox')} AS o SET settled_at = t.at, settled_as = ${as}
    FROM ${sql.unnest(rows, ['uuid', 'timestamptz'])} AS t(action_id, at)
    WHERE o.kind = ${kind} AND o.action_id = t.action_id AND o.settled_at IS NULL`);
}

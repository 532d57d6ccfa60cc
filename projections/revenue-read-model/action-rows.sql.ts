import { sql, type DatabaseTransactionConnection } from '#database';
import type { RecordedEvent } from '#event-store';
import type { ProjectionTables } from '#projection-runner';
import type { ActionProposed, RevenueEvent } from '#revenue';
import { lastPerKey } from '../support/batch.js';

type Tx = DatabaseTransactionConnection;

export async function insertProposed(tx: Tx, tables: ProjectionTables, events: readonly ActionProposed[]): Promise<void> {
  const rows = events.map(({ data: d }) => [
    d.actionId,
    d.opportunityId,
    d.orgId,
    d.actionType,
    d.creditsReserved,
    d.proposedAt,
    JSON.stringify({ opportunityType: d.opportunityType, confidence: d.confidence, ruleSetVersion: d.ruleSetVersion }),
  ]);
  await tx.query(sql.unsafe`
    INSERT INTO ${tables.of('revenue_actions')}
      (id, opportunity_id, org_id, action_type, result, status, credits_reserved, performed_at, updated_at, metadata)
    SELECT id, opportunity_id, org_id, action_type, 'pending', 'proposed', credits_reserved, proposed_at, proposed_at, metadata
    FROM ${sql.unnest(rows, ['uuid', 'uuid', 'uuid', 'text', 'numeric', 'timestamptz', 'jsonb'])}
      AS t(id, opportunity_id, org_id, action_type, credits_reserved, proposed_at, metadata)
    ON CONFLICT (id) DO NOTHING`);
}

/** Row values after a transition; null keeps the current value. */
interface Transition {
  readonly status: string;
  /** The spec's `result` column: pending | sent | accepted | declined | failed. */
  readonly result: string;
  readonly at: string;
  readonly reason: string | null;
  readonly creditsReserved: number | null;
  readonly creditsCharged: number | null;
}

function transitionOf(event: RevenueEvent): Transition | null {
  const keep = { reason: null, creditsReserved: null, creditsCharged: null };
  switch (event.type) {
    case 'revenue.action-approved.v1':
      return { ...keep, status: 'approved', result: 'pending', at: event.data.approvedAt };
    // Rejected and expired actions never went out: `result` says failed, `status` says why.
    case 'revenue.action-rejected.v1':
      return { ...keep, status: 'rejected', result: 'failed', at: event.data.rejectedAt, reason: event.data.reason, creditsReserved: 0 };
    case 'revenue.action-expired.v1':
      return { ...keep, status: 'expired', result: 'failed', at: event.data.expiredAt, reason: event.data.reason, creditsReserved: 0 };
    case 'revenue.action-failed.v1':
      return { ...keep, status: 'failed', result: 'failed', at: event.data.failedAt, reason: event.data.reason, creditsReserved: 0 };
    case 'revenue.action-sent.v1':
      return {
        ...keep,
        status: 'sent',
        result: 'sent',
        at: event.data.sentAt,
        creditsReserved: 0,
        creditsCharged: event.data.creditsCharged,
      };
    case 'revenue.action-outcome-recorded.v1':
      return { ...keep, status: event.data.outcome, result: event.data.outcome, at: event.data.recordedAt };
    default:
      return null;
  }
}

export async function applyTransitions(tx: Tx, tables: ProjectionTables, events: readonly RecordedEvent[]): Promise<void> {
  const rows = lastPerKey(events, (e) => (e.data as { actionId: string }).actionId).flatMap((event) => {
    const t = transitionOf(event as unknown as RevenueEvent);
    if (!t) return [];
    // Who decided: ids only (actor kind and id), never names.
    const decidedBy = JSON.stringify({ actor: event.metadata.actor, command: event.metadata.command ?? null });
    return [
      [(event.data as { actionId: string }).actionId, t.status, t.result, t.at, t.reason, t.creditsReserved, t.creditsCharged, decidedBy],
    ];
  });
  if (rows.length === 0) return;
  await tx.query(sql.unsafe`
    UPDATE ${tables.of('revenue_actions')} AS a
    SET status = t.status, result = t.result, updated_at = t.at, reason = coalesce(t.reason, a.reason),
        credits_reserved = coalesce(t.credits_reserved, a.credits_reserved),
        credits_charged = coalesce(t.credits_charged, a.credits_charged), decided_by = t.decided_by
    FROM ${sql.unnest(rows, ['uuid', 'text', 'text', 'timestamptz', 'text', 'numeric', 'numeric', 'jsonb'])}
      AS t(id, status, result, at, reason, credits_reserved, credits_charged, decided_by)
    WHERE a.id = t.id`);
}

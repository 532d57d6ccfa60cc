import { sql, type DatabaseTransactionConnection } from '#database';
import type { ProjectionTables } from '#projection-runner';
import type { ActionProposed, OpportunityClosed, OpportunityDetected, OpportunityRefreshed } from '#revenue';
import { lastPerKey } from '../support/batch.js';

type Tx = DatabaseTransactionConnection;
const json = (value: unknown) => JSON.stringify(value);

export async function insertDetected(tx: Tx, tables: ProjectionTables, events: readonly OpportunityDetected[]): Promise<void> {
  const rows = events.map(({ data: d }) => [
    d.opportunityId,
    d.orgId,
    d.opportunityType,
    d.source,
    d.confidence,
    json(d.details),
    json(d.evidence),
    d.ruleSetVersion,
    d.detectedAt,
  ]);
  // ON CONFLICT: a rebuild or a re-applied event finds the row already there.
  await tx.query(sql.unsafe`
    INSERT INTO ${tables.of('revenue_opportunities')}
      (id, org_id, type, source, confidence, details, evidence, rule_set_version, created_at, updated_at, status)
    SELECT id, org_id, type, source, confidence, details, evidence, rule_set_version, detected_at, detected_at, 'open'
    FROM ${sql.unnest(rows, ['uuid', 'uuid', 'text', 'text', 'numeric', 'jsonb', 'jsonb', 'text', 'timestamptz'])}
      AS t(id, org_id, type, source, confidence, details, evidence, rule_set_version, detected_at)
    ON CONFLICT (id) DO NOTHING`);
}

export async function applyRefreshed(tx: Tx, tables: ProjectionTables, events: readonly OpportunityRefreshed[]): Promise<void> {
  const rows = lastPerKey(events, (e) => e.data.opportunityId).map(({ data: d }) => [
    d.opportunityId,
    d.source,
    d.confidence,
    json(d.details),
    json(d.evidence),
    d.ruleSetVersion,
    d.refreshedAt,
  ]);
  await tx.query(sql.unsafe`
    UPDATE ${tables.of('revenue_opportunities')} AS o
    SET source = t.source, confidence = t.confidence, details = t.details, evidence = t.evidence,
        rule_set_version = t.rule_set_version, updated_at = t.refreshed_at
    FROM ${sql.unnest(rows, ['uuid', 'text', 'numeric', 'jsonb', 'jsonb', 'text', 'timestamptz'])}
      AS t(id, source, confidence, details, evidence, rule_set_version, refreshed_at)
    WHERE o.id = t.id`);
}

export async function applyClosed(tx: Tx, tables: ProjectionTables, events: readonly OpportunityClosed[]): Promise<void> {
  const rows = lastPerKey(events, (e) => e.data.opportunityId).map(({ data: d }) => [d.opportunityId, d.outcome, d.reason, d.closedAt]);
  await tx.query(sql.unsafe`
    UPDATE ${tables.of('revenue_opportunities')} AS o
    SET status = t.outcome, close_reason = t.reason, closed_at = t.closed_at, updated_at = t.closed_at
    FROM ${sql.unnest(rows, ['uuid', 'text', 'text', 'timestamptz'])} AS t(id, outcome, reason, closed_at)
    WHERE o.id = t.id`);
}

/** The spec's 7-day "recently actioned" rule reads this column. */
export async function markActioned(tx: Tx, tables: ProjectionTables, events: readonly ActionProposed[]): Promise<void> {
  const rows = lastPerKey(events, (e) => e.data.opportunityId).map(({ data: d }) => [d.opportunityId, d.proposedAt]);
  await tx.query(sql.unsafe`
    UPDATE ${tables.of('revenue_opportunities')} AS o
    SET last_action_at = t.proposed_at
    FROM ${sql.unnest(rows, ['uuid', 'timestamptz'])} AS t(id, proposed_at)
    WHERE o.id = t.id`);
}

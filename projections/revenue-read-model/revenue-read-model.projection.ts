import { sql, type DatabaseTransactionConnection } from '#database';
import type { Projection, ProjectionTables, Recorded } from '#projection-runner';
import {
  ALL_REVENUE_EVENT_TYPES,
  orgIdFromStreamName,
  runStopOf,
  type ActionApproved,
  type ActionExpired,
  type ActionFailed,
  type ActionOutcomeRecorded,
  type ActionProposed,
  type ActionRejected,
  type ActionResult,
  type ActionSent,
  type ActionStatus,
  type ExperimentArmAssigned,
  type OpportunityClosed,
  type OpportunityDetected,
  type OpportunityRefreshed,
  type OutcomeObserved,
  type RevenueEvent,
} from '#revenue';
import { lastPerKey, runsAcrossStreams, type Run } from '../support/batch.js';

type Tx = DatabaseTransactionConnection;
const json = (value: unknown) => JSON.stringify(value);

/**
 * The query side of the revenue domain: revenue_opportunities and revenue_actions as migration
 * 103 defines them (plus lifecycle columns, 106), and the projected revision of each org stream,
 * which the fleet sweep uses as its expected revision.
 */
export const revenueReadModel: Projection<RevenueEvent> = {
  name: 'revenue-read-model',
  version: 1,
  eventTypes: ALL_REVENUE_EVENT_TYPES,
  tables: ['revenue_opportunities', 'revenue_actions', 'revenue_org_streams'],
  onError: 'halt',
  async apply(tx, events, tables) {
    for (const run of runsAcrossStreams(events)) await applyRun(tx, tables, run);
    await advanceStreamRevisions(tx, tables, events);
  },
};

async function applyRun(tx: Tx, tables: ProjectionTables, run: Run<Recorded<RevenueEvent>>): Promise<void> {
  switch (run.type) {
    case 'revenue.opportunity-detected.v1':
      return insertDetected(tx, tables, run.events);
    case 'revenue.opportunity-refreshed.v1':
      return applyRefreshed(tx, tables, run.events);
    case 'revenue.opportunity-closed.v1':
      return applyClosed(tx, tables, run.events);
    case 'revenue.action-proposed.v1':
      await insertProposed(tx, tables, run.events);
      return markActioned(tx, tables, run.events);
    case 'revenue.action-run-stopped.v1':
      return; // audit only: the reason lives in the stream
    case 'revenue.action-delivery-queued.v1':
      return; // the outbox's (projections/action-outbox); the action row stays approved until sent or failed
    case 'revenue.experiment-arm-assigned.v1':
      return applyAssigned(tx, tables, run.events);
    case 'revenue.outcome-observed.v1':
      return applyObserved(tx, tables, run.events);
    default:
      return applyTransitions(tx, tables, run.events);
  }
}

/**
 * Per org of the batch: the stream revision, and the last trigger run that stopped for credits
 * (cleared by a proposal), which the sweep's snapshot needs to not record the same stop twice.
 */
async function advanceStreamRevisions(tx: Tx, tables: ProjectionTables, events: readonly Recorded<RevenueEvent>[]): Promise<void> {
  const latest = new Map<string, { revision: bigint; runStop?: string | null }>();
  for (const e of events) {
    const orgId = orgIdFromStreamName(e.streamName);
    if (!orgId) continue;
    const entry = { ...latest.get(orgId), revision: e.streamRevision };
    if (e.type === 'revenue.action-run-stopped.v1') {
      entry.runStop = json(runStopOf(e.data));
    } else if (e.type === 'revenue.action-proposed.v1') entry.runStop = null;
    latest.set(orgId, entry);
  }
  if (latest.size === 0) return;
  const rows = [...latest].map(([orgId, e]) => [orgId, e.revision.toString()]);
  await tx.query(sql.unsafe`
    INSERT INTO ${tables.of('revenue_org_streams')} AS s (org_id, stream_revision, updated_at)
    SELECT org_id, revision, now() FROM ${sql.unnest(rows, ['uuid', 'int8'])} AS t(org_id, revision)
    ON CONFLICT (org_id) DO UPDATE SET stream_revision = greatest(EXCLUDED.stream_revision, s.stream_revision), updated_at = now()`);
  const stops = [...latest].filter(([, e]) => e.runStop !== undefined).map(([orgId, e]) => [orgId, e.runStop ?? null]);
  if (stops.length === 0) return;
  await tx.query(sql.unsafe`
    UPDATE ${tables.of('revenue_org_streams')} AS s SET last_run_stop = t.run_stop
    FROM ${sql.unnest(stops, ['uuid', 'jsonb'])} AS t(org_id, run_stop) WHERE s.org_id = t.org_id`);
}

// revenue_opportunities

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
      (id, org_id, type, source, confidence, details, baseline, evidence, rule_set_version, created_at, updated_at, status)
    SELECT id, org_id, type, source, confidence, details, details, evidence, rule_set_version, detected_at, detected_at, 'open'
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

export async function applyAssigned(tx: Tx, tables: ProjectionTables, events: readonly ExperimentArmAssigned[]): Promise<void> {
  const rows = lastPerKey(events, (e) => e.data.opportunityId).map(({ data: d }) => [d.opportunityId, d.experimentId, d.arm, d.share]);
  await tx.query(sql.unsafe`
    UPDATE ${tables.of('revenue_opportunities')} AS o
    SET experiment_id = t.experiment_id, arm = t.arm, holdout_share = t.share
    FROM ${sql.unnest(rows, ['uuid', 'text', 'text', 'numeric'])} AS t(id, experiment_id, arm, share)
    WHERE o.id = t.id`);
}

export async function applyObserved(tx: Tx, tables: ProjectionTables, events: readonly OutcomeObserved[]): Promise<void> {
  const rows = lastPerKey(events, (e) => e.data.opportunityId).map(({ data: d }) => [
    d.opportunityId,
    d.observedAt,
    d.converted,
    d.realisedMrr,
    json({ windowStart: d.windowStart, windowEnd: d.windowEnd, evidence: d.evidence }),
  ]);
  await tx.query(sql.unsafe`
    UPDATE ${tables.of('revenue_opportunities')} AS o
    SET observed_at = t.observed_at, converted = t.converted, realised_mrr = t.realised_mrr, observation = t.observation
    FROM ${sql.unnest(rows, ['uuid', 'timestamptz', 'bool', 'numeric', 'jsonb'])} AS t(id, observed_at, converted, realised_mrr, observation)
    WHERE o.id = t.id`);
}

// revenue_actions

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
  readonly status: ActionStatus;
  /** The spec's `result` column. */
  readonly result: ActionResult;
  readonly at: string;
  readonly reason: string | null;
  readonly creditsReserved: number | null;
  readonly creditsCharged: number | null;
}

/** The events that move an existing action row on. */
export type ActionTransitionEvent = ActionApproved | ActionRejected | ActionExpired | ActionFailed | ActionSent | ActionOutcomeRecorded;

function transitionOf(event: ActionTransitionEvent): Transition {
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
  }
}

export async function applyTransitions(
  tx: Tx,
  tables: ProjectionTables,
  events: readonly Recorded<ActionTransitionEvent>[],
): Promise<void> {
  const rows = lastPerKey(events, (e) => e.data.actionId).map((event) => {
    const t = transitionOf(event);
    // Who decided: ids only (actor kind and id), never names.
    const decidedBy = JSON.stringify({ actor: event.metadata.actor, command: event.metadata.command ?? null });
    return [event.data.actionId, t.status, t.result, t.at, t.reason, t.creditsReserved, t.creditsCharged, decidedBy];
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

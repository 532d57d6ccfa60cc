import { sql, type DatabaseTransactionConnection } from '#database';
import type { Projection, ProjectionTables, Recorded } from '#projection-runner';
import {
  REVENUE_EVENT_TYPES,
  type ActionApproved,
  type ActionExpired,
  type ActionFailed,
  type ActionOutcomeRecorded,
  type ActionProposed,
  type ActionRejected,
  type ActionSent,
  type ActionStatus,
  type OpportunityClosed,
  type OpportunityDetected,
  type OpportunityRefreshed,
} from '#revenue';
import { runsAcrossStreams } from '../support/batch.js';

type Tx = DatabaseTransactionConnection;

/** The events that move an action into a status of the funnel. */
export type ActionStepEvent =
  ActionProposed | ActionApproved | ActionRejected | ActionSent | ActionFailed | ActionOutcomeRecorded | ActionExpired;
type OpportunityEvent = OpportunityDetected | OpportunityRefreshed | OpportunityClosed;
export type RevenueDailyEvent = OpportunityEvent | ActionStepEvent;

/** The status an action enters with the event. */
export function statusEntered(event: ActionStepEvent): ActionStatus {
  switch (event.type) {
    case 'revenue.action-proposed.v1':
      return 'proposed';
    case 'revenue.action-approved.v1':
      return 'approved';
    case 'revenue.action-rejected.v1':
      return 'rejected';
    case 'revenue.action-sent.v1':
      return 'sent';
    case 'revenue.action-failed.v1':
      return 'failed';
    case 'revenue.action-expired.v1':
      return 'expired';
    case 'revenue.action-outcome-recorded.v1':
      return event.data.outcome;
  }
}

const OPPORTUNITY_EVENT_TYPES: ReadonlySet<string> = new Set([
  REVENUE_EVENT_TYPES.opportunityDetected,
  REVENUE_EVENT_TYPES.opportunityRefreshed,
  REVENUE_EVENT_TYPES.opportunityClosed,
]);

const isOpportunityEvent = (e: Recorded<RevenueDailyEvent>): e is Recorded<OpportunityEvent> => OPPORTUNITY_EVENT_TYPES.has(e.type);

/**
 * The dashboard's daily aggregates (migration 115), per org and UTC day of the event's
 * occurredAt: opportunities detected by type, the change of the open opportunities' summed
 * confidence by type (potential MRR is weight x its running sum, weights applied by the query),
 * and actions entering each status. Per opportunity it keeps its own state (type, confidence,
 * open) to know what a refresh changes and a close removes.
 *
 * Set-based: the action steps of a batch are one upsert; the opportunity events go in runs of one
 * type, in log order (a refresh needs the confidence the detection before it left), each run one
 * statement. The opportunity side is idempotent (a detection already known, a close of a closed
 * opportunity and a refresh to the same confidence change nothing); the action counts rely on
 * the runner applying each event exactly once (its checkpoint commits with the batch).
 */
export const revenueDaily: Projection<RevenueDailyEvent> = {
  name: 'revenue-daily',
  version: 1,
  eventTypes: [
    REVENUE_EVENT_TYPES.opportunityDetected,
    REVENUE_EVENT_TYPES.opportunityRefreshed,
    REVENUE_EVENT_TYPES.opportunityClosed,
    REVENUE_EVENT_TYPES.actionProposed,
    REVENUE_EVENT_TYPES.actionApproved,
    REVENUE_EVENT_TYPES.actionRejected,
    REVENUE_EVENT_TYPES.actionSent,
    REVENUE_EVENT_TYPES.actionFailed,
    REVENUE_EVENT_TYPES.actionOutcomeRecorded,
    REVENUE_EVENT_TYPES.actionExpired,
  ],
  tables: ['revenue_daily_opportunities', 'revenue_daily_actions', 'revenue_daily_opportunity_state'],
  onError: 'halt',
  async apply(tx, events, tables) {
    for (const run of runsAcrossStreams(events.filter(isOpportunityEvent))) {
      switch (run.type) {
        case 'revenue.opportunity-detected.v1':
          await applyDetected(tx, tables, run.events);
          break;
        case 'revenue.opportunity-refreshed.v1':
          await applyRefreshed(tx, tables, run.events);
          break;
        case 'revenue.opportunity-closed.v1':
          await applyClosed(tx, tables, run.events);
          break;
      }
    }
    await countActionSteps(
      tx,
      tables,
      events.filter((e): e is Recorded<ActionStepEvent> => !isOpportunityEvent(e)),
    );
  },
};

/** The first event per key (a repeated detection or close of one opportunity changes nothing). */
function firstPerKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const first = new Map<string, T>();
  for (const item of items) if (!first.has(key(item))) first.set(key(item), item);
  return [...first.values()];
}

/** Adds the per-(org, day, type) rows of `source` (a SELECT of org_id, day, opportunity_type, detected, delta). */
const addToDays = (tables: ProjectionTables) => sql.fragment`
  INSERT INTO ${tables.of('revenue_daily_opportunities')} AS d (org_id, day, opportunity_type, detected, open_confidence_delta)`;
const onConflictAdd = sql.fragment`
  ON CONFLICT (org_id, day, opportunity_type) DO UPDATE
  SET detected = d.detected + EXCLUDED.detected, open_confidence_delta = d.open_confidence_delta + EXCLUDED.open_confidence_delta`;

/** The UTC day of an ISO instant. */
const utcDay = (column: string) => sql.fragment`(${sql.identifier([column])} AT TIME ZONE 'UTC')::date`;

async function applyDetected(tx: Tx, tables: ProjectionTables, events: readonly Recorded<OpportunityDetected>[]): Promise<void> {
  const rows = firstPerKey(events, (e) => e.data.opportunityId).map((e) => [
    e.data.opportunityId,
    e.data.orgId,
    e.data.opportunityType,
    e.data.confidence,
    e.metadata.occurredAt,
  ]);
  await tx.query(sql.unsafe`
    WITH t AS (
      SELECT * FROM ${sql.unnest(rows, ['uuid', 'uuid', 'text', 'numeric', 'timestamptz'])}
        AS t(opportunity_id, org_id, opportunity_type, confidence, occurred_at)
    ), known AS (
      INSERT INTO ${tables.of('revenue_daily_opportunity_state')} (opportunity_id, org_id, opportunity_type, confidence, open)
      SELECT opportunity_id, org_id, opportunity_type, confidence, true FROM t
      ON CONFLICT (opportunity_id) DO NOTHING
      RETURNING opportunity_id
    )
    ${addToDays(tables)}
    SELECT t.org_id, ${utcDay('occurred_at')}, t.opportunity_type, count(*), sum(t.confidence)
    FROM t JOIN known USING (opportunity_id)
    GROUP BY 1, 2, 3
    ${onConflictAdd}`);
}

async function applyRefreshed(tx: Tx, tables: ProjectionTables, events: readonly Recorded<OpportunityRefreshed>[]): Promise<void> {
  // Several refreshes of one opportunity in a run: each changes it from the one before (n = log order).
  const rows = events.map((e, n) => [e.data.opportunityId, e.data.confidence, e.metadata.occurredAt, n]);
  await tx.query(sql.unsafe`
    WITH t AS (
      SELECT * FROM ${sql.unnest(rows, ['uuid', 'numeric', 'timestamptz', 'int4'])} AS t(opportunity_id, confidence, occurred_at, n)
    ), steps AS (
      SELECT t.n, t.opportunity_id, s.org_id, s.opportunity_type, t.occurred_at, t.confidence,
             t.confidence - coalesce(lag(t.confidence) OVER (PARTITION BY t.opportunity_id ORDER BY t.n), s.confidence) AS delta
      FROM t JOIN ${tables.of('revenue_daily_opportunity_state')} s ON s.opportunity_id = t.opportunity_id AND s.open
    ), latest AS (
      UPDATE ${tables.of('revenue_daily_opportunity_state')} s SET confidence = l.confidence
      FROM (SELECT DISTINCT ON (opportunity_id) opportunity_id, confidence FROM steps ORDER BY opportunity_id, n DESC) l
      WHERE s.opportunity_id = l.opportunity_id
    )
    ${addToDays(tables)}
    SELECT org_id, ${utcDay('occurred_at')}, opportunity_type, 0, sum(delta)
    FROM steps
    GROUP BY 1, 2, 3
    HAVING sum(delta) <> 0
    ${onConflictAdd}`);
}

async function applyClosed(tx: Tx, tables: ProjectionTables, events: readonly Recorded<OpportunityClosed>[]): Promise<void> {
  const rows = firstPerKey(events, (e) => e.data.opportunityId).map((e) => [e.data.opportunityId, e.metadata.occurredAt]);
  await tx.query(sql.unsafe`
    WITH t AS (
      SELECT * FROM ${sql.unnest(rows, ['uuid', 'timestamptz'])} AS t(opportunity_id, occurred_at)
    ), closed AS (
      UPDATE ${tables.of('revenue_daily_opportunity_state')} s SET open = false
      FROM t WHERE s.opportunity_id = t.opportunity_id AND s.open
      RETURNING s.org_id, s.opportunity_type, s.confidence, t.occurred_at
    )
    ${addToDays(tables)}
    SELECT org_id, ${utcDay('occurred_at')}, opportunity_type, 0, -sum(confidence)
    FROM closed
    GROUP BY 1, 2, 3
    ${onConflictAdd}`);
}

async function countActionSteps(tx: Tx, tables: ProjectionTables, events: readonly Recorded<ActionStepEvent>[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => [e.data.orgId, statusEntered(e), e.metadata.occurredAt]);
  await tx.query(sql.unsafe`
    INSERT INTO ${tables.of('revenue_daily_actions')} AS d (org_id, day, status, entered)
    SELECT org_id, ${utcDay('occurred_at')}, status, count(*)
    FROM ${sql.unnest(rows, ['uuid', 'text', 'timestamptz'])} AS t(org_id, status, occurred_at)
    GROUP BY 1, 2, 3
    ON CONFLICT (org_id, day, status) DO UPDATE SET entered = d.entered + EXCLUDED.entered`);
}

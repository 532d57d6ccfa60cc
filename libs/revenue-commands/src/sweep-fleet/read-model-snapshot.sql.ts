import { sql, type CommonQueryMethods } from '#database';
import type { ExpectedRevision } from '#event-store';
import { reservedCredits } from '#read-models';
import { initialState, type Action, type Arm, type Credits, type Opportunity, type RevenueAccountState, type RunStop } from '#revenue';

export interface OrgSnapshot {
  readonly state: RevenueAccountState;
  /** The stream revision the read model reflects: appending with it fails safely if the stream moved on. */
  readonly revision: ExpectedRevision;
}

/** What the statement's json_build_object holds of an action row (the read model has no delivery column). */
type ActionJson = Omit<Action, 'deliveredBy'>;

type Row = {
  org_id: string;
  stream_revision: bigint;
  opportunities: ReadonlyArray<Omit<Opportunity, 'status' | 'closedAt'>>;
  actions: readonly ActionJson[];
  credits_reserved: Credits;
  credits_charged: Credits;
  last_run_stop: RunStop | null;
  arms: Record<string, Arm> | null;
};

/** Who delivers is not in the read model, and neither detection nor the trigger decision reads it. */
const actionOf = (a: ActionJson): Action => ({ ...a, deliveredBy: 'external' });

/** A timestamptz as the domain writes it (Date#toISOString), so the snapshot compares like the fold. */
const iso = (column: string) =>
  sql.fragment`to_char(${sql.identifier(column.split('.'))} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * What detection and the trigger decision need of each org, read from the read model for a page
 * of orgs in one statement instead of replaying thousands of streams: the open opportunities
 * (with lastActionAt, for the cooldown), the actions still holding credits (proposed/approved:
 * an opportunity with one is skipped), their reservations and everything ever charged. The
 * opportunity and action rows and the stream revision are written in one projection transaction
 * and read here in one statement (one snapshot), so each state is exactly the state at that
 * revision. Orgs the read model has never seen get no entry (see snapshotOf).
 */
export async function loadOrgSnapshots(
  db: CommonQueryMethods,
  orgIds: readonly string[],
  /** Read each org's experiment arms (needed only when the rule set has holdouts: they decide new assignments). */
  options: { readonly arms: boolean },
): Promise<Map<string, OrgSnapshot>> {
  const arms = options.arms
    ? sql.fragment`(
      -- The arm of each experiment the org was ever assigned in: its first assignment (the fold's rule).
      SELECT json_object_agg(f.experiment_id, f.arm) AS arms FROM (
        SELECT DISTINCT ON (e.experiment_id) e.experiment_id, e.arm FROM revenue_opportunities e
        WHERE e.org_id = s.org_id AND e.experiment_id IS NOT NULL ORDER BY e.experiment_id, e.created_at, e.id) f)`
    : sql.fragment`(SELECT NULL::json AS arms)`;
  const rows = (await db.any(sql.unsafe`
    SELECT s.org_id, s.stream_revision, s.last_run_stop, o.opportunities, a.actions, a.credits_reserved, a.credits_charged, x.arms
    FROM revenue_org_streams s
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object(
        'id', o.id, 'type', o.type, 'source', o.source, 'confidence', o.confidence, 'details', o.details,
        'baseline', coalesce(o.baseline, o.details),
        'evidence', o.evidence, 'ruleSetVersion', coalesce(o.rule_set_version, ''), 'detectedAt', ${iso('o.created_at')},
        'refreshedAt', ${iso('o.updated_at')}, 'lastActionAt', ${iso('o.last_action_at')},
        'experiment', CASE WHEN o.experiment_id IS NOT NULL THEN json_build_object('experimentId', o.experiment_id, 'arm', o.arm) END,
        'observation', CASE WHEN o.observed_at IS NOT NULL THEN json_build_object(
          'converted', o.converted, 'realisedMrr', o.realised_mrr::float8, 'observedAt', ${iso('o.observed_at')}) END)), '[]') AS opportunities
      FROM revenue_opportunities o WHERE o.org_id = s.org_id AND o.status = 'open') o
    CROSS JOIN LATERAL ${arms} x
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object(
          'id', a.id, 'opportunityId', a.opportunity_id, 'opportunityType', a.metadata->>'opportunityType',
          'actionType', a.action_type, 'status', a.status, 'creditsReserved', a.credits_reserved,
          'creditsCharged', a.credits_charged, 'proposedAt', ${iso('a.performed_at')},
          'approvedAt', CASE WHEN a.status = 'approved' THEN ${iso('a.updated_at')} END, 'updatedAt', ${iso('a.updated_at')}))
          FILTER (WHERE a.status IN ('proposed', 'approved')), '[]') AS actions,
        ${reservedCredits}::float8 AS credits_reserved,
        coalesce(sum(a.credits_charged), 0)::float8 AS credits_charged
      FROM revenue_actions a WHERE a.org_id = s.org_id) a
    WHERE s.org_id = ANY(${sql.array(orgIds, 'uuid')})`)) as readonly Row[];
  const snapshots = new Map<string, OrgSnapshot>();
  for (const r of rows) {
    const opportunities = r.opportunities.map((o): Opportunity => ({ ...o, status: 'open', closedAt: null }));
    const state: RevenueAccountState = {
      ...initialState,
      orgId: r.org_id,
      opportunities: Object.fromEntries(opportunities.map((o) => [o.id, o])),
      openOpportunityByType: Object.fromEntries(opportunities.map((o) => [o.type, o.id])),
      actions: Object.fromEntries(r.actions.map((a) => [a.id, actionOf(a)])),
      creditsReserved: r.credits_reserved,
      creditsCharged: r.credits_charged,
      lastRunStop: r.last_run_stop,
      arms: r.arms ?? {},
    };
    snapshots.set(r.org_id, { state, revision: r.stream_revision });
  }
  return snapshots;
}

export function snapshotOf(snapshots: Map<string, OrgSnapshot>, orgId: string): OrgSnapshot {
  return snapshots.get(orgId) ?? { state: { ...initialState, orgId }, revision: 'no_stream' };
}

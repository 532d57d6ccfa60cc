import { sql, type CommonQueryMethods, isoTimestamp } from '#database';
import type { ExpectedRevision } from '#event-store';
import { initialState, type Opportunity, type RevenueAccountState } from '#revenue';

export interface OrgSnapshot {
  readonly state: RevenueAccountState;
  /** The stream revision the read model reflects: appending with it fails safely if the stream moved on. */
  readonly revision: ExpectedRevision;
}

type Row = {
  org_id: string;
  stream_revision: bigint;
  id: string | null;
  type: Opportunity['type'];
  source: string;
  confidence: number;
  details: Opportunity['details'];
  evidence: Opportunity['evidence'];
  rule_set_version: string | null;
  created_at: number;
  updated_at: number | null;
  last_action_at: number | null;
};

/**
 * What detection needs of each org (its open opportunities), read from the read model for a
 * page of orgs in one statement instead of replaying thousands of streams. Opportunity rows and
 * the stream revision are written in one projection transaction, so each snapshot is exactly the
 * state at that revision.
 */
export async function loadOrgSnapshots(db: CommonQueryMethods, orgIds: readonly string[]): Promise<Map<string, OrgSnapshot>> {
  const rows = (await db.any(sql.unsafe`
    SELECT s.org_id, s.stream_revision, o.id, o.type, o.source, o.confidence, o.details, o.evidence, o.rule_set_version,
           o.created_at, o.updated_at, o.last_action_at
    FROM revenue_org_streams s
    LEFT JOIN revenue_opportunities o ON o.org_id = s.org_id AND o.status = 'open'
    WHERE s.org_id = ANY(${sql.array(orgIds, 'uuid')})`)) as readonly Row[];
  const snapshots = new Map<string, { state: RevenueAccountState; revision: bigint }>();
  for (const r of rows) {
    const current = snapshots.get(r.org_id) ?? { state: { ...initialState, orgId: r.org_id }, revision: r.stream_revision };
    if (r.id) {
      const opportunity: Opportunity = {
        id: r.id,
        type: r.type,
        source: r.source,
        confidence: r.confidence,
        details: r.details,
        evidence: r.evidence,
        ruleSetVersion: r.rule_set_version ?? '',
        status: 'open',
        detectedAt: isoTimestamp(r.created_at),
        refreshedAt: isoTimestamp(r.updated_at),
        closedAt: null,
        lastActionAt: isoTimestamp(r.last_action_at),
      };
      current.state = {
        ...current.state,
        opportunities: { ...current.state.opportunities, [r.id]: opportunity },
        openOpportunityByType: { ...current.state.openOpportunityByType, [r.type]: r.id },
      };
    }
    snapshots.set(r.org_id, current);
  }
  return snapshots;
}

export function snapshotOf(snapshots: Map<string, OrgSnapshot>, orgId: string): OrgSnapshot {
  return snapshots.get(orgId) ?? { state: { ...initialState, orgId }, revision: 'no_stream' };
}

import { sql, type CommonQueryMethods } from '#database';
import type { OpportunityStatus, OpportunityType } from '#revenue';

export interface OpportunityView {
  readonly id: string;
  readonly type: OpportunityType;
  readonly source: string;
  readonly confidence: number;
  readonly details: Record<string, unknown>;
  readonly status: OpportunityStatus;
  readonly evidence: Record<string, unknown>;
  readonly ruleSetVersion: string | null;
  readonly createdAt: string;
  readonly updatedAt: string | null;
  readonly closedAt: string | null;
}

export interface OpportunityFilter {
  readonly types?: readonly OpportunityType[];
  readonly status?: OpportunityStatus;
  readonly minConfidence?: number;
  /** Keyset cursor: the (confidence, id) of the last row of the previous page. */
  readonly after?: { readonly confidence: number; readonly id: string };
  readonly limit: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The spec's getOpportunities (highest confidence first) with filters and keyset pagination.
 * Runs inside the caller's RLS session, so rows of other orgs are invisible even without the WHERE.
 */
export async function listOpportunities(db: CommonQueryMethods, orgId: string, filter: OpportunityFilter): Promise<OpportunityView[]> {
  const conditions = [sql.fragment`org_id = ${orgId}`];
  if (filter.types) conditions.push(sql.fragment`type = ANY(${sql.array(filter.types, 'text')})`);
  if (filter.status) conditions.push(sql.fragment`status = ${filter.status}`);
  if (filter.minConfidence !== undefined) conditions.push(sql.fragment`confidence >= ${filter.minConfidence}`);
  if (filter.after) conditions.push(sql.fragment`(confidence, id) < (${filter.after.confidence}::numeric, ${filter.after.id}::uuid)`);
  const rows = await db.any(sql.unsafe`
    SELECT id, type, source, confidence, details, status, evidence, rule_set_version, created_at, updated_at, closed_at
    FROM revenue_opportunities
    WHERE ${sql.join(conditions, sql.fragment` AND `)}
    ORDER BY confidence DESC, id DESC
    LIMIT ${filter.limit}`);
  return rows.map((r) => ({
    id: r.id as string,
    type: r.type as OpportunityType,
    source: r.source as string,
    confidence: r.confidence as number,
    details: (r.details ?? {}) as Record<string, unknown>,
    status: r.status as OpportunityStatus,
    evidence: r.evidence as Record<string, unknown>,
    ruleSetVersion: r.rule_set_version as string | null,
    createdAt: iso(r.created_at as number)!,
    updatedAt: iso(r.updated_at as number | null),
    closedAt: iso(r.closed_at as number | null),
  }));
}

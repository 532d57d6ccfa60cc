import { z } from 'zod';
import { sql, type CommonQueryMethods, isoTimestamp } from '#database';
import { OPPORTUNITY_STATUSES, OPPORTUNITY_TYPES, type OpportunityStatus, type OpportunityType } from '#revenue';
import { jsonObject, timestamptz } from './row-types.js';

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

/** Types the rows, not checked at run time (row-types.ts). */
export const OpportunityRow = z.object({
  id: z.string(),
  type: z.enum(OPPORTUNITY_TYPES),
  source: z.string(),
  confidence: z.number(),
  details: jsonObject.nullable(),
  status: z.enum(OPPORTUNITY_STATUSES),
  evidence: jsonObject,
  rule_set_version: z.string().nullable(),
  /** Nullable in migration 103; the projection always writes it. */
  created_at: timestamptz.nullable(),
  updated_at: timestamptz.nullable(),
  closed_at: timestamptz.nullable(),
});

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
  const rows = await db.any(sql.type(OpportunityRow)`
    SELECT id, type, source, confidence, details, status, evidence, rule_set_version, created_at, updated_at, closed_at
    FROM revenue_opportunities
    WHERE ${sql.join(conditions, sql.fragment` AND `)}
    ORDER BY confidence DESC, id DESC
    LIMIT ${filter.limit}`);
  return rows.map(opportunityView);
}

/** A row as the API serves it (camelCase, ISO-8601 times). */
export function opportunityView(r: z.infer<typeof OpportunityRow>): OpportunityView {
  return {
    id: r.id,
    type: r.type,
    source: r.source,
    confidence: r.confidence,
    details: r.details ?? {},
    status: r.status,
    evidence: r.evidence,
    ruleSetVersion: r.rule_set_version,
    // Nullable in migration 103; the projection always writes it.
    createdAt: isoTimestamp(r.created_at)!,
    updatedAt: isoTimestamp(r.updated_at),
    closedAt: isoTimestamp(r.closed_at),
  };
}

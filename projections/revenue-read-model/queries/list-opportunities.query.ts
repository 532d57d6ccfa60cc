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
  /** The org's arm in the play's experiment; both null when the play had no holdout. */
  readonly experimentId: string | null;
  readonly arm: 'treatment' | 'control' | null;
  /** What the observation window showed, once observed (revenue.outcome-observed.v1). */
  readonly observation: {
    readonly converted: boolean;
    readonly realisedMrr: number;
    readonly observedAt: string;
    readonly windowStart: string;
    readonly windowEnd: string;
    readonly evidence: Record<string, unknown>;
  } | null;
}

/** The orders of the list: confidence desc (the spec's), newest or oldest detection first; ties by id in the same direction. */
export const OPPORTUNITY_SORTS = ['confidence', 'newest', 'oldest'] as const;
export type OpportunitySort = (typeof OPPORTUNITY_SORTS)[number];

/**
 * Where a page ends, in its sort's key: (confidence, id) or (created_at, id), the creation time as
 * ISO-8601 with microseconds, as PostgreSQL stores it (milliseconds would skip or repeat rows).
 */
export type OpportunityKeyset =
  | { readonly sort: 'confidence'; readonly confidence: number; readonly id: string }
  | { readonly sort: 'newest' | 'oldest'; readonly createdAt: string; readonly id: string };

export interface OpportunityFilter {
  readonly types?: readonly OpportunityType[];
  readonly status?: OpportunityStatus;
  readonly minConfidence?: number;
  /** Default confidence. */
  readonly sort?: OpportunitySort;
  /** Keyset cursor: the key of the last row of the previous page (the legacy shape is a confidence key). */
  readonly after?: OpportunityKeyset | { readonly confidence: number; readonly id: string };
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
  experiment_id: z.string().nullable(),
  arm: z.enum(['treatment', 'control']).nullable(),
  observed_at: timestamptz.nullable(),
  converted: z.boolean().nullable(),
  realised_mrr: z.number().nullable(),
  observation: jsonObject.nullable(),
});

/**
 * The spec's getOpportunities (highest confidence first) with filters and keyset pagination,
 * in one of OPPORTUNITY_SORTS. Runs inside the caller's RLS session, so rows of other orgs are
 * invisible even without the WHERE.
 */
export async function listOpportunities(db: CommonQueryMethods, orgId: string, filter: OpportunityFilter): Promise<OpportunityView[]> {
  return (await pageOfOpportunities(db, orgId, filter)).opportunities;
}

/** Types the rows of a page, with the creation time at full precision for the cursor. */
const PagedRow = OpportunityRow.extend({ created_key: z.string().nullable() });

/**
 * A page of listOpportunities (at most `limit` rows) and, when more rows follow, the keyset of its
 * last row to continue from (`next`; null on the last page). One row more than asked tells whether
 * another page exists without a count query. Each order has its index (migrations 113 and 114:
 * org_id, then the sort key and id), so a page reads only its own rows, and the RLS policy's
 * probe runs for those only.
 */
export async function pageOfOpportunities(
  db: CommonQueryMethods,
  orgId: string,
  filter: OpportunityFilter,
): Promise<{ opportunities: OpportunityView[]; next: OpportunityKeyset | null }> {
  const sort = filter.sort ?? 'confidence';
  const conditions = [sql.fragment`org_id = ${orgId}`];
  if (filter.types) conditions.push(sql.fragment`type = ANY(${sql.array(filter.types, 'text')})`);
  if (filter.status) conditions.push(sql.fragment`status = ${filter.status}`);
  if (filter.minConfidence !== undefined) conditions.push(sql.fragment`confidence >= ${filter.minConfidence}`);
  if (filter.after) conditions.push(afterKey(sort, filter.after));
  const order = {
    confidence: sql.fragment`confidence DESC, id DESC`,
    newest: sql.fragment`created_at DESC, id DESC`,
    oldest: sql.fragment`created_at ASC, id ASC`,
  }[sort];
  const rows = await db.any(sql.type(PagedRow)`
    SELECT id, type, source, confidence, details, status, evidence, rule_set_version, created_at, updated_at, closed_at,
      experiment_id, arm, observed_at, converted, realised_mrr::float8 AS realised_mrr, observation,
      to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key
    FROM revenue_opportunities
    WHERE ${sql.join(conditions, sql.fragment` AND `)}
    ORDER BY ${order}
    LIMIT ${filter.limit + 1}`);
  const page = rows.slice(0, filter.limit);
  const end = page.at(-1);
  const next: OpportunityKeyset | null =
    rows.length <= filter.limit || !end
      ? null
      : sort === 'confidence'
        ? { sort, confidence: end.confidence, id: end.id }
        : { sort, createdAt: end.created_key ?? '', id: end.id };
  return { opportunities: page.map(opportunityView), next };
}

function afterKey(sort: OpportunitySort, after: NonNullable<OpportunityFilter['after']>) {
  const keySort = 'sort' in after ? after.sort : 'confidence';
  if (keySort !== sort) throw new RangeError(`a ${keySort} keyset cannot continue a ${sort} list`);
  if ('confidence' in after) return sql.fragment`(confidence, id) < (${after.confidence}::numeric, ${after.id}::uuid)`;
  return sort === 'newest'
    ? sql.fragment`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`
    : sql.fragment`(created_at, id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`;
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
    experimentId: r.experiment_id,
    arm: r.arm,
    observation:
      r.observed_at === null
        ? null
        : {
            converted: r.converted ?? false,
            realisedMrr: r.realised_mrr ?? 0,
            observedAt: isoTimestamp(r.observed_at),
            ...(r.observation as { windowStart: string; windowEnd: string; evidence: Record<string, unknown> }),
          },
  };
}

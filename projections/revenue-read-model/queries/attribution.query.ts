import { z } from 'zod';
import { sql, type CommonQueryMethods, isoTimestamp } from '#database';
import { OPPORTUNITY_TYPES, type OpportunityType } from '#revenue';
import { jsonObject, timestamptz } from './row-types.js';

/** One treated conversion and how it came about: opportunity -> action(s) -> dispatch -> reported outcome -> observed conversion. */
export interface AttributionView {
  readonly orgId: string;
  readonly opportunityId: string;
  readonly play: OpportunityType;
  readonly experimentId: string | null;
  /** treatment, or null when the play had no holdout (every opportunity treated). */
  readonly arm: 'treatment' | null;
  readonly detectedAt: string;
  readonly actions: ReadonlyArray<{
    readonly actionId: string;
    readonly actionType: string;
    readonly status: string;
    /** The spec's result: how far it got (sent = dispatched; accepted / declined = the reported outcome). */
    readonly result: string;
    readonly proposedAt: string;
    readonly creditsCharged: number;
  }>;
  readonly observation: {
    readonly windowStart: string;
    readonly windowEnd: string;
    readonly evidence: Record<string, unknown>;
    readonly observedAt: string;
  };
  readonly realisedMrr: number;
}

const Row = z.object({
  org_id: z.string(),
  id: z.string(),
  type: z.enum(OPPORTUNITY_TYPES),
  experiment_id: z.string().nullable(),
  arm: z.literal('treatment').nullable(),
  created_at: timestamptz,
  observed_at: timestamptz,
  observation: jsonObject,
  realised_mrr: z.number(),
  actions: z.array(jsonObject),
});

export interface AttributionFilter {
  readonly play?: OpportunityType;
  readonly orgId?: string;
  readonly limit: number;
  /** The last item of the previous page: (observedAt, opportunityId), newest first. */
  readonly after?: { readonly observedAt: string; readonly opportunityId: string };
}

/**
 * The treated conversions (observed converted, not held out), newest observation first, with
 * their actions (oldest first) as the read model has them. The audit trail of the org's stream
 * holds every step's event; this is the chain at a glance.
 */
export async function listAttributions(db: CommonQueryMethods, filter: AttributionFilter): Promise<AttributionView[]> {
  const conditions = [
    sql.fragment`o.converted AND o.arm IS DISTINCT FROM 'control'`,
    ...(filter.play ? [sql.fragment`o.type = ${filter.play}`] : []),
    ...(filter.orgId ? [sql.fragment`o.org_id = ${filter.orgId}`] : []),
    ...(filter.after
      ? [sql.fragment`(o.observed_at, o.id) < (${filter.after.observedAt}::timestamptz, ${filter.after.opportunityId}::uuid)`]
      : []),
  ];
  const rows = await db.any(sql.type(Row)`
    SELECT o.org_id, o.id, o.type, o.experiment_id, o.arm, o.created_at, o.observed_at, o.observation, o.realised_mrr::float8 AS realised_mrr,
      coalesce((SELECT json_agg(json_build_object('actionId', a.id, 'actionType', a.action_type, 'status', a.status, 'result', a.result,
          'proposedAt', a.performed_at, 'creditsCharged', a.credits_charged::float8) ORDER BY a.performed_at, a.id)
        FROM revenue_actions a WHERE a.opportunity_id = o.id), '[]') AS actions
    FROM revenue_opportunities o
    WHERE ${sql.join(conditions, sql.fragment` AND `)}
    ORDER BY o.observed_at DESC, o.id DESC
    LIMIT ${filter.limit}`);
  return rows.map((r) => {
    const observation = r.observation as { windowStart: string; windowEnd: string; evidence: Record<string, unknown> };
    return {
      orgId: r.org_id,
      opportunityId: r.id,
      play: r.type,
      experimentId: r.experiment_id,
      arm: r.arm,
      detectedAt: isoTimestamp(r.created_at),
      actions: r.actions.map((a) => ({
        actionId: a['actionId'] as string,
        actionType: a['actionType'] as string,
        status: a['status'] as string,
        result: a['result'] as string,
        proposedAt: new Date(a['proposedAt'] as string).toISOString(),
        creditsCharged: a['creditsCharged'] as number,
      })),
      observation: {
        windowStart: observation.windowStart,
        windowEnd: observation.windowEnd,
        evidence: observation.evidence,
        observedAt: isoTimestamp(r.observed_at),
      },
      realisedMrr: r.realised_mrr,
    };
  });
}

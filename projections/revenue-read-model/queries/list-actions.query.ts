import { z } from 'zod';
import { sql, type CommonQueryMethods, isoTimestamp } from '#database';
import { ACTION_RESULTS, ACTION_STATUSES, ACTION_TYPES } from '#revenue';
import { jsonObject, timestamptz } from './row-types.js';

export interface ActionView {
  readonly id: string;
  readonly opportunityId: string;
  readonly orgId: string;
  readonly actionType: string;
  /** The spec's result: pending | sent | accepted | declined | failed. */
  readonly result: string;
  readonly status: string;
  readonly performedAt: string;
  readonly updatedAt: string | null;
  readonly creditsReserved: number;
  readonly creditsCharged: number;
  readonly reason: string | null;
  readonly metadata: Record<string, unknown>;
}

const columns = sql.fragment`a.id, a.opportunity_id, a.org_id, a.action_type, a.result, a.status, a.performed_at, a.updated_at,
  a.credits_reserved::float8 AS credits_reserved, a.credits_charged::float8 AS credits_charged, a.reason, a.metadata`;

/** Types the rows, not checked at run time (row-types.ts). */
const ActionRow = z.object({
  id: z.string(),
  opportunity_id: z.string(),
  /** Nullable in migration 106; the projection always writes it. */
  org_id: z.string(),
  action_type: z.enum(ACTION_TYPES),
  result: z.enum(ACTION_RESULTS),
  status: z.enum(ACTION_STATUSES),
  /** Nullable in migration 103; the projection always writes it. */
  performed_at: timestamptz,
  updated_at: timestamptz.nullable(),
  credits_reserved: z.number(),
  credits_charged: z.number(),
  reason: z.string().nullable(),
  metadata: jsonObject.nullable(),
});

function toView(r: z.infer<typeof ActionRow>): ActionView {
  return {
    id: r.id,
    opportunityId: r.opportunity_id,
    orgId: r.org_id,
    actionType: r.action_type,
    result: r.result,
    status: r.status,
    performedAt: isoTimestamp(r.performed_at),
    updatedAt: isoTimestamp(r.updated_at),
    creditsReserved: r.credits_reserved,
    creditsCharged: r.credits_charged,
    reason: r.reason,
    metadata: r.metadata ?? {},
  };
}

/** The spec's getActionHistory: newest first. Null when the opportunity is not visible to the caller. */
export async function listActionsOf(db: CommonQueryMethods, orgId: string, opportunityId: string): Promise<ActionView[] | null> {
  const visible = await db.exists(sql.unsafe`SELECT 1 FROM revenue_opportunities WHERE id = ${opportunityId} AND org_id = ${orgId}`);
  if (!visible) return null;
  const rows = await db.any(sql.type(ActionRow)`
    SELECT ${columns} FROM revenue_actions a WHERE a.opportunity_id = ${opportunityId}
    ORDER BY a.performed_at DESC, a.id DESC`);
  return rows.map(toView);
}

const ActionOrgRow = z.object({ org_id: z.string().nullable() });

/** Which org an action belongs to (commands on an action are executed on its org's stream). */
export async function findActionOrg(db: CommonQueryMethods, actionId: string): Promise<string | null> {
  return db.maybeOneFirst(sql.type(ActionOrgRow)`SELECT org_id FROM revenue_actions WHERE id = ${actionId}`);
}

import { sql, type CommonQueryMethods } from '#database';

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

function toView(r: Record<string, unknown>): ActionView {
  return {
    id: r.id as string,
    opportunityId: r.opportunity_id as string,
    orgId: r.org_id as string,
    actionType: r.action_type as string,
    result: r.result as string,
    status: r.status as string,
    performedAt: new Date(r.performed_at as number).toISOString(),
    updatedAt: r.updated_at === null ? null : new Date(r.updated_at as number).toISOString(),
    creditsReserved: r.credits_reserved as number,
    creditsCharged: r.credits_charged as number,
    reason: r.reason as string | null,
    metadata: (r.metadata ?? {}) as Record<string, unknown>,
  };
}

/** The spec's getActionHistory: newest first. Null when the opportunity is not visible to the caller. */
export async function listActionsOf(db: CommonQueryMethods, orgId: string, opportunityId: string): Promise<ActionView[] | null> {
  const visible = await db.exists(sql.unsafe`SELECT 1 FROM revenue_opportunities WHERE id = ${opportunityId} AND org_id = ${orgId}`);
  if (!visible) return null;
  const rows = await db.any(sql.unsafe`
    SELECT ${columns} FROM revenue_actions a WHERE a.opportunity_id = ${opportunityId}
    ORDER BY a.performed_at DESC, a.id DESC`);
  return rows.map(toView);
}

/** Which org an action belongs to (commands on an action are executed on its org's stream). */
export async function findActionOrg(db: CommonQueryMethods, actionId: string): Promise<string | null> {
  return (await db.maybeOneFirst(sql.unsafe`SELECT org_id FROM revenue_actions WHERE id = ${actionId}`)) as string | null;
}

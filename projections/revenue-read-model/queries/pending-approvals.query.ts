import { sql, type CommonQueryMethods } from '#database';

export interface PendingApproval {
  readonly actionId: string;
  readonly orgId: string;
  readonly opportunityId: string;
  readonly opportunityType: string;
  readonly actionType: string;
  readonly confidence: number;
  readonly creditsReserved: number;
  /** ISO-8601 with microseconds (also the cursor's sort key). */
  readonly proposedAt: string;
  /** The org stream revision of the same snapshot: the client's If-Match. Null if not projected. */
  readonly revision: string | null;
}

/**
 * MAOS's queue: proposed actions across orgs, oldest first, keyset on (performed_at, id) — the index of
 * migration 106. One statement, so each row's revision is the one its status was projected at.
 */
export async function pendingApprovals(
  db: CommonQueryMethods,
  page: { readonly after?: { readonly proposedAt: string; readonly actionId: string }; readonly limit: number },
): Promise<PendingApproval[]> {
  const after = page.after
    ? sql.fragment`AND (a.performed_at, a.id) > (${page.after.proposedAt}::timestamptz, ${page.after.actionId}::uuid)`
    : sql.fragment``;
  const rows = await db.any(sql.unsafe`
    SELECT a.id, o.org_id, a.opportunity_id, o.type, a.action_type, o.confidence::float8 AS confidence,
      a.credits_reserved::float8 AS credits_reserved,
      to_char(a.performed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS proposed_at,
      s.stream_revision
    FROM revenue_actions a
    JOIN revenue_opportunities o ON o.id = a.opportunity_id
    LEFT JOIN revenue_org_streams s ON s.org_id = o.org_id
    WHERE a.status = 'proposed' ${after}
    ORDER BY a.performed_at, a.id
    LIMIT ${page.limit}`);
  return rows.map((r) => ({
    actionId: r.id as string,
    orgId: r.org_id as string,
    opportunityId: r.opportunity_id as string,
    opportunityType: r.type as string,
    actionType: r.action_type as string,
    confidence: r.confidence as number,
    creditsReserved: r.credits_reserved as number,
    proposedAt: r.proposed_at as string,
    revision: r.stream_revision === null ? null : String(r.stream_revision),
  }));
}

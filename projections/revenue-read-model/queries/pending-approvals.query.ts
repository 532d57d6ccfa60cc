import { z } from 'zod';
import { sql, type CommonQueryMethods } from '#database';
import { ACTION_TYPES, OPPORTUNITY_TYPES } from '#revenue';
import { int8 } from './row-types.js';

export interface PendingApproval {
  readonly actionId: string;
  readonly orgId: string;
  /** The org's name (organizations.name), for a queue that spans orgs. */
  readonly orgName: string;
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

/** Types the rows, not checked at run time (row-types.ts). */
const PendingRow = z.object({
  id: z.string(),
  org_id: z.string(),
  org_name: z.string(),
  opportunity_id: z.string(),
  type: z.enum(OPPORTUNITY_TYPES),
  action_type: z.enum(ACTION_TYPES),
  confidence: z.number(),
  credits_reserved: z.number(),
  /** to_char of performed_at (nullable in migration 103; the projection always writes it). */
  proposed_at: z.string(),
  /** Null when the org's stream revision is not projected (LEFT JOIN). */
  stream_revision: int8.nullable(),
});

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
  const rows = await db.any(sql.type(PendingRow)`
    SELECT a.id, o.org_id, g.name AS org_name, a.opportunity_id, o.type, a.action_type, o.confidence::float8 AS confidence,
      a.credits_reserved::float8 AS credits_reserved,
      to_char(a.performed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS proposed_at,
      s.stream_revision
    FROM revenue_actions a
    JOIN revenue_opportunities o ON o.id = a.opportunity_id
    JOIN organizations g ON g.id = o.org_id
    LEFT JOIN revenue_org_streams s ON s.org_id = o.org_id
    WHERE a.status = 'proposed' ${after}
    ORDER BY a.performed_at, a.id
    LIMIT ${page.limit}`);
  return rows.map((r) => ({
    actionId: r.id,
    orgId: r.org_id,
    orgName: r.org_name,
    opportunityId: r.opportunity_id,
    opportunityType: r.type,
    actionType: r.action_type,
    confidence: r.confidence,
    creditsReserved: r.credits_reserved,
    proposedAt: r.proposed_at,
    revision: r.stream_revision === null ? null : String(r.stream_revision),
  }));
}

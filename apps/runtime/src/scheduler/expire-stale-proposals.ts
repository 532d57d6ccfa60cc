import { z } from 'zod';
import { sql } from '#database';
import { executeOnOrg, type CommandMeta, type RevenueDeps } from '#revenue-commands';
import { decide, evolve, type DecideContext, type RevenueAccountState, type RevenueEvent } from '#revenue';

export interface ExpiryResult {
  /** Orgs the read model showed with stale proposals. */
  readonly orgs: number;
  readonly expired: number;
  /** One message per org whose expiry failed (the others went on). */
  readonly errors: readonly string[];
}

/** "72 h", "90 min", "1500 ms": for the reason recorded on each expiry. */
export function describeAge(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms} ms`;
}

/**
 * The decision for one org: expire each listed action that the org's own stream still shows as
 * proposed before `cutoff`. The read model only nominates: an action approved (or rejected)
 * since it was read is left alone here, so a concurrent approval always wins, and because
 * executeOnOrg re-decides on a conflict, an approval that lands between read and append does too.
 * State is folded between the expiries so each decision sees the credits the previous released.
 */
export function decideStaleExpiry(orgId: string, actionIds: readonly string[], cutoff: Date, reason: string) {
  return (state: RevenueAccountState, ctx: DecideContext): RevenueEvent[] => {
    let current = state;
    const events: RevenueEvent[] = [];
    for (const actionId of actionIds) {
      const action = current.actions[actionId];
      if (!action || action.status !== 'proposed' || Date.parse(action.proposedAt) >= cutoff.getTime()) continue;
      for (const event of decide({ kind: 'ExpireAction', orgId, actionId, reason }, current, ctx)) {
        current = evolve(current, event);
        events.push(event);
      }
    }
    return events;
  };
}

const StaleRow = z.object({ org_id: z.string(), action_ids: z.array(z.string()) });

/**
 * Expires proposals pending longer than `maxAgeMs` (by performed_at, against the injected clock):
 * one set-based query picks them, grouped per org; each org is then one ExpireStaleProposals
 * command through the domain (which releases the reserved credits: ActionExpired.creditsReleased).
 * An org that fails is counted and reported, never aborts the others.
 */
export async function expireStaleProposals(
  deps: RevenueDeps,
  options: { readonly maxAgeMs: number; readonly meta: CommandMeta },
): Promise<ExpiryResult> {
  const cutoff = new Date(deps.clock.now().getTime() - options.maxAgeMs);
  const reason = `stale proposal: pending longer than ${describeAge(options.maxAgeMs)}`;
  const rows = await deps.pool.any(sql.type(StaleRow)`
    SELECT org_id, array_agg(id ORDER BY performed_at, id)::text[] AS action_ids
    FROM revenue_actions
    WHERE status = 'proposed' AND performed_at < ${cutoff.toISOString()}::timestamptz AND org_id IS NOT NULL
    GROUP BY org_id
    ORDER BY org_id`);
  let expired = 0;
  const errors: string[] = [];
  for (const { org_id: orgId, action_ids: actionIds } of rows) {
    try {
      const result = await executeOnOrg(
        deps,
        orgId,
        'ExpireStaleProposals',
        options.meta,
        decideStaleExpiry(orgId, actionIds, cutoff, reason),
      );
      expired += result.events.filter((e) => e.type === 'revenue.action-expired.v1').length;
    } catch (error) {
      errors.push(`expiry of org ${orgId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { orgs: rows.length, expired, errors };
}

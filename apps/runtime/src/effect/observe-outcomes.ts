import { z } from 'zod';
import { sql, type CommonQueryMethods } from '#database';
import { executeOnOrgs, type CommandMeta, type RevenueDeps } from '#revenue-commands';
import {
  decide,
  defaultObservationConfig,
  type ObservationFacts,
  type ObserveOutcomes,
  type RevenueAccountState,
  type DecideContext,
  type RevenueEvent,
} from '#revenue';

export interface ObservationResult {
  /** Orgs with at least one opportunity due. */
  readonly orgs: number;
  readonly observed: number;
  /** One message per org whose observation failed (the others went on). */
  readonly errors: readonly string[];
}

/** Types the rows (not checked at run time: the SQL casts make them so); `facts` is built in SQL as the domain reads it. */
const DueRow = z.object({
  org_id: z.string(),
  /** The page cursor: detection instant (microseconds kept) and id. */
  detected_at: z.string(),
  opportunity_id: z.string(),
  facts: z.custom<ObservationFacts>(),
});
type DueRow = z.infer<typeof DueRow>;

const iso = (expression: ReturnType<typeof sql.fragment>) =>
  sql.fragment`to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A tier as of an instant: the last change before it, else the tier the first later change left, else the wallet's. */
const tierAsOf = (at: ReturnType<typeof sql.fragment>) => sql.fragment`coalesce(
  (SELECT t.to_tier FROM tier_changes t WHERE t.org_id = d.org_id AND t.changed_at < ${at} ORDER BY t.changed_at DESC LIMIT 1),
  (SELECT t.from_tier FROM tier_changes t WHERE t.org_id = d.org_id AND t.changed_at >= ${at} ORDER BY t.changed_at LIMIT 1),
  w.tier)`;

/**
 * The facts of every opportunity whose observation window [detection, detection + windowDays)
 * has closed by `now` and that is not observed yet, oldest first, at most `limit`: usage,
 * tier history and credit purchases summed over the window, one statement for the page. A day
 * is 24 hours, as in the domain's window (`interval '1 day'` would follow the session's time
 * zone across a clock change, and the domain would refuse the facts).
 */
export async function loadDueObservations(
  db: CommonQueryMethods,
  now: Date,
  windowDays: number,
  page: { readonly limit: number; readonly after: { readonly detectedAt: string; readonly id: string } | null },
): Promise<DueRow[]> {
  const after = page.after
    ? sql.fragment`AND (o.created_at, o.id) > (${page.after.detectedAt}::timestamptz, ${page.after.id}::uuid)`
    : sql.fragment``;
  const rows = await db.any(sql.type(DueRow)`
    WITH d AS (
      SELECT o.id, o.org_id, o.created_at AS ws, o.created_at + ${windowDays} * interval '24 hours' AS we
      FROM revenue_opportunities o
      WHERE o.observed_at IS NULL AND o.created_at <= ${now.toISOString()}::timestamptz - ${windowDays} * interval '24 hours' ${after}
      ORDER BY o.created_at, o.id
      LIMIT ${page.limit})
    SELECT d.org_id, d.ws::text AS detected_at, d.id AS opportunity_id, json_build_object(
        'windowStart', ${iso(sql.fragment`d.ws`)}, 'windowEnd', ${iso(sql.fragment`d.we`)},
        'tierAtStart', ${tierAsOf(sql.fragment`d.ws`)}, 'tierAtEnd', ${tierAsOf(sql.fragment`d.we`)},
        'textTokens', coalesce(u.text_tokens, 0)::float8, 'voiceSeconds', coalesce(u.voice_seconds, 0)::float8,
        'creditPurchases', coalesce(p.purchases, 0)::int, 'creditPurchaseAmount', coalesce(p.amount, 0)::float8) AS facts
    FROM d
    LEFT JOIN token_wallets w ON w.org_id = d.org_id
    LEFT JOIN LATERAL (
      SELECT sum(x.text_tokens_used) AS text_tokens, sum(x.voice_seconds_used) AS voice_seconds FROM token_usage x
      WHERE x.org_id = d.org_id AND x.period_start >= d.ws AND x.period_start < d.we) u ON true
    LEFT JOIN LATERAL (
      SELECT count(*) AS purchases, sum(c.amount) AS amount FROM credit_purchases c
      WHERE c.org_id = d.org_id AND c.purchased_at >= d.ws AND c.purchased_at < d.we) p ON true
    ORDER BY d.ws, d.id`);
  return [...rows];
}

/**
 * Observes every opportunity whose window has closed, in both arms: the read model nominates
 * (one set-based statement per page, keyset-paged so one run reads each once although the read
 * model shows the new observations only later), each org of a page is then one ObserveOutcomes
 * command through the domain, which refuses a window still open and records nothing for one
 * already observed, so a rerun, a crash between orgs or two observers at once never observe
 * twice. An org that fails is reported and tried again by the next run.
 */
export async function observeOutcomes(
  deps: RevenueDeps,
  options: { readonly meta: CommandMeta; readonly pageSize?: number },
): Promise<ObservationResult> {
  const config = deps.observation ?? defaultObservationConfig;
  const pageSize = options.pageSize ?? 5_000;
  const now = deps.clock.now();
  const errors: string[] = [];
  const orgs = new Set<string>();
  let observed = 0;
  let after: { detectedAt: string; id: string } | null = null;
  for (;;) {
    const rows = await loadDueObservations(deps.pool, now, config.windowDays, { limit: pageSize, after });
    const byOrg = new Map<string, DueRow[]>();
    for (const r of rows) {
      const due = byOrg.get(r.org_id);
      if (due) due.push(r);
      else byOrg.set(r.org_id, [r]);
    }
    const decisions = new Map<string, (state: RevenueAccountState, ctx: DecideContext) => RevenueEvent[]>();
    for (const [orgId, due] of byOrg) {
      orgs.add(orgId);
      const command: ObserveOutcomes = {
        kind: 'ObserveOutcomes',
        orgId,
        observations: due.map((r) => ({ opportunityId: r.opportunity_id, facts: r.facts })),
      };
      // A refusal is this org's alone: reported, the org decides nothing, the page goes on.
      decisions.set(orgId, (state, ctx) => {
        try {
          return decide(command, state, ctx);
        } catch (error) {
          errors.push(`observation of org ${orgId}: ${error instanceof Error ? error.message : String(error)}`);
          return [];
        }
      });
    }
    const results = await executeOnOrgs(deps, decisions, 'ObserveOutcomes', options.meta);
    observed += results.reduce((n, r) => n + r.events.length, 0);
    if (rows.length < pageSize) break;
    const last = rows.at(-1)!;
    after = { detectedAt: last.detected_at, id: last.opportunity_id };
  }
  return { orgs: orgs.size, observed, errors };
}

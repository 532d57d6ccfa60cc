import { z } from 'zod';
import { sql, type CommonQueryMethods } from '#database';
import { ACTION_STATUSES, OPPORTUNITY_TYPES, type ActionStatus, type OpportunityType, type RuleSet } from '#revenue';
import { mrrWeights, weightedOpenOpportunities } from './expansion.query.js';

/** The types potential MRR is broken down by (the default rule set weighs these three). */
export const MRR_TYPES = ['upsell', 'cross_sell', 'feature_expansion'] as const satisfies readonly OpportunityType[];

export interface RevenueSummary {
  /** The same number as expansionOf: open opportunities, weight x confidence, rounded to cents. */
  readonly potentialMRR: number;
  /** potentialMRR per type, in cents that add up to potentialMRR exactly. */
  readonly potentialMRRByType: Readonly<Record<(typeof MRR_TYPES)[number], number>> & Readonly<Partial<Record<OpportunityType, number>>>;
  readonly openByType: Readonly<Record<OpportunityType, number>>;
  readonly actionsByStatus: Readonly<Record<ActionStatus, number>>;
  /** accepted / (accepted + declined); null while both are 0. */
  readonly acceptanceRate: number | null;
  readonly credits: { readonly reserved: number; readonly charged: number };
}

/**
 * Credits an org's actions hold right now: what proposed and approved actions reserved (a
 * rejection, expiry, failure or charge sets an action's reservation to 0 and moves it on). The
 * formula of the fleet sweep's snapshot (libs/revenue-commands read-model-snapshot.sql.ts), over
 * revenue_actions aliased `a`.
 */
export const reservedCredits = sql.fragment`coalesce(sum(a.credits_reserved) FILTER (WHERE a.status IN ('proposed', 'approved')), 0)`;

/** Types the rows, not checked at run time (row-types.ts). */
const MrrRow = z.object({ type: z.enum(OPPORTUNITY_TYPES), floor_cents: z.number(), remainder: z.number(), total_cents: z.number() });
const CountRow = z.object({ key: z.string(), n: z.number() });
const ReservedRow = z.object({ reserved: z.number() });
const ChargedRow = z.object({ charged: z.number() });

/**
 * Everything of the summary that the revenue read model holds (all but credits charged: see
 * creditsChargedOf), in the caller's transaction: under RLS for users, so every statement sees
 * only rows the caller may read, and in one snapshot.
 */
export async function revenueSummaryOf(
  db: CommonQueryMethods,
  orgId: string,
  ruleSet: RuleSet,
): Promise<Omit<RevenueSummary, 'credits'> & { readonly credits: { readonly reserved: number } }> {
  const weights = mrrWeights(ruleSet);
  const mrr = weights.length
    ? await db.any(sql.type(MrrRow)`
        SELECT type, floor(cents)::float8 AS floor_cents, (cents - floor(cents))::float8 AS remainder,
          round(sum(cents) OVER ())::float8 AS total_cents
        FROM (SELECT o.type, sum(w.weight * o.confidence) * 100 AS cents FROM ${weightedOpenOpportunities(orgId, weights)} GROUP BY o.type) t`)
    : [];
  const open = await db.any(sql.type(CountRow)`
    SELECT type AS key, count(*)::int AS n FROM revenue_opportunities WHERE org_id = ${orgId} AND status = 'open' GROUP BY type`);
  const actions = await db.any(sql.type(CountRow)`
    SELECT status AS key, count(*)::int AS n FROM revenue_actions WHERE org_id = ${orgId} GROUP BY status`);
  const { reserved } = await db.one(sql.type(ReservedRow)`
    SELECT ${reservedCredits}::float8 AS reserved FROM revenue_actions a WHERE a.org_id = ${orgId}`);
  const totalCents = mrr[0]?.total_cents ?? 0;
  const byType = apportionCents(
    totalCents,
    mrr.map((r) => ({ key: r.type, floorCents: r.floor_cents, remainder: r.remainder })),
  );
  const actionsByStatus = countsOf(ACTION_STATUSES, actions);
  const decided = actionsByStatus.accepted + actionsByStatus.declined;
  return {
    potentialMRR: totalCents / 100,
    potentialMRRByType: { ...zeros(MRR_TYPES), ...Object.fromEntries([...byType].map(([type, cents]) => [type, cents / 100])) },
    openByType: countsOf(OPPORTUNITY_TYPES, open),
    actionsByStatus,
    acceptanceRate: decided === 0 ? null : actionsByStatus.accepted / decided,
    credits: { reserved },
  };
}

/**
 * Everything the credit-ledger projection charged the org. credit_ledger has no RLS policy and
 * role `authenticated` no privilege on it (migration 109): read it with the API's own role, and
 * only once the caller's access to the org is established (the access guard's org check).
 */
export async function creditsChargedOf(db: CommonQueryMethods, orgId: string): Promise<number> {
  return db.oneFirst(sql.type(ChargedRow)`SELECT coalesce(sum(amount), 0)::float8 AS charged FROM credit_ledger WHERE org_id = ${orgId}`);
}

/**
 * Splits a total of cents over parts whose exact shares are floorCents + remainder (0 <= remainder
 * < 1), so that the parts add up to the total: each part gets its floor, and the cents left over
 * go one each to the largest remainders (ties: the parts' order). The largest-remainder method.
 */
export function apportionCents<K>(
  totalCents: number,
  parts: ReadonlyArray<{ readonly key: K; readonly floorCents: number; readonly remainder: number }>,
): Map<K, number> {
  let left = totalCents - parts.reduce((sum, p) => sum + p.floorCents, 0);
  const byRemainder = parts.map((p, i) => ({ ...p, i })).sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  const cents = new Map(parts.map((p) => [p.key, p.floorCents]));
  for (const part of byRemainder) {
    if (left <= 0) break;
    cents.set(part.key, part.floorCents + 1);
    left--;
  }
  return cents;
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function countsOf<K extends string>(keys: readonly K[], rows: ReadonlyArray<{ key: string; n: number }>): Record<K, number> {
  const counts = zeros(keys);
  for (const row of rows) if ((keys as readonly string[]).includes(row.key)) counts[row.key as K] = row.n;
  return counts;
}

import { z } from 'zod';
import { sql, type CommonQueryMethods } from '#database';
import { ACTION_STATUSES, OPPORTUNITY_TYPES, type ActionStatus, type OpportunityType, type RuleSet } from '#revenue';
import { mrrWeights } from '../revenue-read-model/queries/expansion.query.js';

export interface RevenueSeriesDay {
  /** UTC, YYYY-MM-DD. */
  readonly day: string;
  /** Opportunities detected that day, by type. */
  readonly detected: Readonly<Record<OpportunityType, number>>;
  /** Potential MRR at the end of the day (as GET /api/revenue/expansion computes it then), in cents precision. */
  readonly potentialMRR: number;
  /** Actions that entered each status that day. */
  readonly funnel: Readonly<Record<ActionStatus, number>>;
}

export interface RevenueSeries {
  readonly from: string;
  readonly to: string;
  readonly days: readonly RevenueSeriesDay[];
}

/** Types the rows, not checked at run time (see revenue-read-model/queries/row-types.ts). */
const DayRow = z.object({
  day: z.string(),
  potential: z.number(),
  detected: z.record(z.number()),
  funnel: z.record(z.number()),
});

const zeros = <K extends string>(keys: readonly K[], counts: Readonly<Record<string, number>>): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, counts[k] ?? 0])) as Record<K, number>;

const DAY_MS = 86_400_000;

/** The `days` days ending with the UTC day of `now` (both ends included), as YYYY-MM-DD. */
export function seriesWindow(now: Date, days: number): { readonly from: string; readonly to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(Date.parse(`${to}T00:00:00.000Z`) - (days - 1) * DAY_MS).toISOString().slice(0, 10);
  return { from, to };
}

/**
 * One org's days from..to (every day present, zeros filled), from the revenue-daily aggregates
 * (migration 115). Potential MRR at the end of each day is sum over the weighted types of
 * weight x the running sum of the open confidence change, over every day up to it (days before
 * `from` included), rounded to cents once at the end, like expansionOf. All in SQL.
 */
export async function revenueSeriesOf(
  db: CommonQueryMethods,
  orgId: string,
  window: { readonly from: string; readonly to: string },
  ruleSet: RuleSet,
): Promise<RevenueSeries> {
  const weights = mrrWeights(ruleSet).map(([type, weight]) => [type, weight]);
  const { from, to } = window;
  const rows = await db.any(sql.type(DayRow)`
    WITH weights AS (
      SELECT * FROM ${sql.unnest(weights, ['text', 'numeric'])} AS w(opportunity_type, weight)
    ), mrr AS (
      SELECT o.day, sum(o.open_confidence_delta * w.weight) AS delta
      FROM revenue_daily_opportunities o JOIN weights w USING (opportunity_type)
      WHERE o.org_id = ${orgId} AND o.day <= ${to}::date
      GROUP BY o.day
    ), before AS (
      SELECT coalesce(sum(delta), 0) AS total FROM mrr WHERE day < ${from}::date
    ), detected AS (
      SELECT day, jsonb_object_agg(opportunity_type, detected) AS counts
      FROM revenue_daily_opportunities
      WHERE org_id = ${orgId} AND day BETWEEN ${from}::date AND ${to}::date AND detected > 0
      GROUP BY day
    ), funnel AS (
      SELECT day, jsonb_object_agg(status, entered) AS counts
      FROM revenue_daily_actions
      WHERE org_id = ${orgId} AND day BETWEEN ${from}::date AND ${to}::date
      GROUP BY day
    ), series AS (
      SELECT d::date AS day FROM generate_series(${from}::date, ${to}::date, interval '1 day') AS d
    )
    SELECT to_char(s.day, 'YYYY-MM-DD') AS day,
           round(before.total + sum(coalesce(m.delta, 0)) OVER (ORDER BY s.day), 2)::float8 AS potential,
           coalesce(dt.counts, '{}'::jsonb) AS detected,
           coalesce(f.counts, '{}'::jsonb) AS funnel
    FROM series s CROSS JOIN before
    LEFT JOIN mrr m ON m.day = s.day
    LEFT JOIN detected dt ON dt.day = s.day
    LEFT JOIN funnel f ON f.day = s.day
    ORDER BY s.day`);
  return {
    from,
    to,
    days: rows.map((r) => ({
      day: r.day,
      detected: zeros(OPPORTUNITY_TYPES, r.detected),
      potentialMRR: r.potential,
      funnel: zeros(ACTION_STATUSES, r.funnel),
    })),
  };
}

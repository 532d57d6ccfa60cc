import { sql, type CommonQueryMethods } from '#database';
import type { RuleSet, UsageSummary } from '#revenue';
import type { SweepPartition } from '../sweep-fleet/sweep-fleet.command.js';

/** The windows' sums of one org, as both the full aggregate and the incremental sweep's table give them. */
export type UsageSummaryRow = {
  org_id: string;
  tier: number | null;
  balance: number | null;
  recent_text: bigint;
  recent_voice: bigint;
  recent_rows: bigint;
  previous_text: bigint;
  previous_voice: bigint;
  previous_rows: bigint;
};

/** Where the detectors' two windows start for `asOf`: recent is [recentStart, ...), previous [previousStart, recentStart). */
export function windowStarts(asOf: Date, ruleSet: Pick<RuleSet, 'windowDays'>): { recentStart: string; previousStart: string } {
  return {
    recentStart: new Date(asOf.getTime() - ruleSet.windowDays * 86_400_000).toISOString(),
    previousStart: new Date(asOf.getTime() - 2 * ruleSet.windowDays * 86_400_000).toISOString(),
  };
}

/**
 * The sums per org of token_usage over both windows, one pass over the rows since previousStart
 * (idx_token_usage_period), grouped by org; `filter` narrows the rows (an `AND ...` fragment).
 */
export function windowAggregate(
  asOf: Date,
  ruleSet: Pick<RuleSet, 'windowDays'>,
  filter: ReturnType<typeof sql.fragment> = sql.fragment``,
) {
  const { recentStart, previousStart } = windowStarts(asOf, ruleSet);
  return sql.fragment`
      SELECT u.org_id,
        sum(u.text_tokens_used) FILTER (WHERE u.period_start >= ${recentStart}::timestamptz) AS recent_text,
        sum(u.voice_seconds_used) FILTER (WHERE u.period_start >= ${recentStart}::timestamptz) AS recent_voice,
        count(*) FILTER (WHERE u.period_start >= ${recentStart}::timestamptz) AS recent_rows,
        sum(u.text_tokens_used) FILTER (WHERE u.period_start < ${recentStart}::timestamptz) AS previous_text,
        sum(u.voice_seconds_used) FILTER (WHERE u.period_start < ${recentStart}::timestamptz) AS previous_voice,
        count(*) FILTER (WHERE u.period_start < ${recentStart}::timestamptz) AS previous_rows
      FROM token_usage u
      WHERE u.period_start >= ${previousStart}::timestamptz ${filter}
      GROUP BY u.org_id`;
}

export function usageSummaryOf(r: UsageSummaryRow, asOf: string): UsageSummary {
  return {
    orgId: r.org_id,
    tier: r.tier,
    balance: r.balance,
    recent: { textTokens: Number(r.recent_text), voiceSeconds: Number(r.recent_voice), rows: Number(r.recent_rows) },
    previous: { textTokens: Number(r.previous_text), voiceSeconds: Number(r.previous_voice), rows: Number(r.previous_rows) },
    asOf,
  };
}

/**
 * The org's share: a hash of the uuid rather than ranges of it, so shares stay even whatever the
 * id scheme (time-ordered v7 ids put a whole fleet in one leading-byte range). The sign bit is
 * masked off (abs() overflows on the smallest bigint). uuid_hash_extended is the server's own
 * function, the same for every worker on one database.
 */
const inPartition = (column: string, p: SweepPartition) =>
  sql.fragment`(uuid_hash_extended(${sql.identifier(column.split('.'))}, 0) & 9223372036854775807) % ${p.count} = ${p.index}`;

/**
 * The detectors' input, summed in SQL over token_usage: the spec's windows (recent: period_start
 * >= asOf - N days; previous: the N days before that). One statement serves one org or the
 * whole fleet (`orgIds` null) — the sweep reads every org in one pass, never a query per org —
 * or one partition of it (filtered in the aggregate too, so a worker sums only its own orgs' rows).
 */
export async function loadUsageSummaries(
  db: CommonQueryMethods,
  asOf: Date,
  ruleSet: RuleSet,
  orgIds: readonly string[] | null,
  partition?: SweepPartition,
): Promise<UsageSummary[]> {
  const orgConditions = [
    ...(orgIds ? [sql.fragment`o.id = ANY(${sql.array(orgIds, 'uuid')})`] : []),
    ...(partition ? [inPartition('o.id', partition)] : []),
  ];
  const usageConditions = [
    ...(orgIds ? [sql.fragment`u.org_id = ANY(${sql.array(orgIds, 'uuid')})`] : []),
    ...(partition ? [inPartition('u.org_id', partition)] : []),
  ];
  const orgFilter = orgConditions.length ? sql.fragment`WHERE ${sql.join(orgConditions, sql.fragment` AND `)}` : sql.fragment``;
  const usageOrgFilter = usageConditions.length ? sql.fragment`AND ${sql.join(usageConditions, sql.fragment` AND `)}` : sql.fragment``;
  const rows = (await db.any(sql.unsafe`
    WITH usage AS (${windowAggregate(asOf, ruleSet, usageOrgFilter)}
    )
    SELECT o.id AS org_id, w.tier, w.balance::float8 AS balance,
      coalesce(recent_text, 0)::int8 AS recent_text, coalesce(recent_voice, 0)::int8 AS recent_voice, coalesce(recent_rows, 0)::int8 AS recent_rows,
      coalesce(previous_text, 0)::int8 AS previous_text, coalesce(previous_voice, 0)::int8 AS previous_voice, coalesce(previous_rows, 0)::int8 AS previous_rows
    FROM organizations o
    LEFT JOIN usage ON usage.org_id = o.id
    LEFT JOIN token_wallets w ON w.org_id = o.id
    ${orgFilter}
    ORDER BY o.id`)) as readonly UsageSummaryRow[];
  const asOfIso = asOf.toISOString();
  return rows.map((r) => usageSummaryOf(r, asOfIso));
}

import { sql, type DatabasePool } from '#database';

const DAY_MS = 86_400_000;

export interface SpecPassResult {
  readonly orgs: number;
  readonly seconds: number;
  readonly queries: number;
  readonly opportunitiesInserted: number;
}

/**
 * The specification's detection, org by org and query by query (RevenueEngineService:
 * detectUpsellCandidates, then detectChurnRisks), over a direct pool: usage rows of the last
 * 30 days, then the wallet tier, then an INSERT ... RETURNING per upsell; two count(*) queries,
 * then an INSERT per churn risk. The spec goes through PostgREST (an HTTP round trip per query),
 * so this is its cheapest possible form: the comparison favours the spec.
 */
export async function runSpecPattern(pool: DatabasePool, orgIds: readonly string[], asOf: Date): Promise<SpecPassResult> {
  const thirty = new Date(asOf.getTime() - 30 * DAY_MS).toISOString();
  const sixty = new Date(asOf.getTime() - 60 * DAY_MS).toISOString();
  let queries = 0;
  let inserted = 0;
  const insert = async (orgId: string, type: string, source: string, confidence: number, details: object) => {
    queries++;
    inserted++;
    await pool.one(sql.unsafe`
      INSERT INTO revenue_opportunities (org_id, type, source, confidence, details)
      VALUES (${orgId}, ${type}, ${source}, ${confidence}, ${sql.jsonb(details as never)}) RETURNING *`);
  };
  const started = performance.now();
  for (const orgId of orgIds) {
    // detectUpsellCandidates
    queries++;
    const usage = await pool.any(sql.unsafe`
      SELECT org_id, text_tokens_used, voice_seconds_used FROM token_usage WHERE org_id = ${orgId} AND period_start >= ${thirty}`);
    if (usage.length > 0) {
      const totalTokens = usage.reduce((sum, u) => sum + Number(u.text_tokens_used), 0);
      const totalVoice = usage.reduce((sum, u) => sum + Number(u.voice_seconds_used), 0);
      queries++;
      const wallet = await pool.maybeOne(sql.unsafe`SELECT tier FROM token_wallets WHERE org_id = ${orgId}`);
      const tier = (wallet?.tier as number | undefined) ?? 1;
      if (tier < 3 && (totalTokens > 50_000 || totalVoice > 300)) {
        await insert(orgId, 'upsell', 'usage_analysis', 0.85, {
          currentTier: tier,
          suggestedTier: tier + 1,
          monthlyTokens: totalTokens,
          monthlyVoice: totalVoice,
        });
      }
    }
    // detectChurnRisks
    queries += 2;
    const recent = Number(
      await pool.oneFirst(sql.unsafe`
      SELECT count(*) FROM token_usage WHERE org_id = ${orgId} AND period_start >= ${thirty}`),
    );
    const previous = Number(
      await pool.oneFirst(sql.unsafe`
      SELECT count(*) FROM token_usage WHERE org_id = ${orgId} AND period_start >= ${sixty} AND period_start < ${thirty}`),
    );
    if (previous && recent && recent < previous * 0.5) {
      await insert(orgId, 'retention_intervention', 'usage_decline', 0.9, {
        previousPeriod: previous,
        currentPeriod: recent,
        declinePercent: Math.round((1 - recent / previous) * 100),
      });
    }
  }
  return { orgs: orgIds.length, seconds: (performance.now() - started) / 1000, queries, opportunitiesInserted: inserted };
}

import { sql, type DatabasePool } from '#database';

export interface DemoData {
  readonly orgIds: string[];
  /** Owner of every demo org (for minting a demo token). */
  readonly ownerUserId: string;
}

/**
 * Demo orgs with 60 days of daily usage, generated in SQL: a quarter each growing (upsell,
 * feature expansion), flat heavy text (upsell, cross-sell), declining (churn risk) and idle.
 * Wallets get tiers 1-3 and a few credits.
 */
export async function seedDemoData(pool: DatabasePool, orgCount: number, asOf: Date): Promise<DemoData> {
  if (!Number.isInteger(orgCount) || orgCount < 1 || orgCount > 1_000_000)
    throw new RangeError(`orgs must be an integer from 1 to 1,000,000, got ${orgCount}`);
  const ownerUserId = '00000000-0000-4000-8000-00000000d3e0';
  return pool.transaction(async (tx) => {
    const orgIds = (await tx.anyFirst(sql.unsafe`
      INSERT INTO organizations (name) SELECT 'Demo org ' || n FROM generate_series(1, ${orgCount}) AS n RETURNING id`)) as string[];
    const ids = sql.array(orgIds, 'uuid');
    await tx.query(sql.unsafe`
      INSERT INTO token_wallets (org_id, tier, balance)
      SELECT id, 1 + (row_number() OVER (ORDER BY id)) % 3, 0.5 FROM unnest(${ids}) AS id`);
    await tx.query(sql.unsafe`
      INSERT INTO user_organizations (user_id, org_id, role) SELECT ${ownerUserId}, id, 'owner' FROM unnest(${ids}) AS id`);
    await tx.query(sql.unsafe`
      WITH orgs AS (SELECT id, (row_number() OVER (ORDER BY id)) % 4 AS profile FROM unnest(${ids}) AS id)
      INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used)
      SELECT o.id, ${asOf.toISOString()}::timestamptz - make_interval(days => d) + interval '1 hour',
        CASE o.profile
          WHEN 0 THEN 1000 + (60 - d) * 60          -- growing
          WHEN 1 THEN 2200                          -- flat, heavy text
          WHEN 2 THEN CASE WHEN d > 30 THEN 3000 ELSE 600 END  -- declining
          ELSE 0                                    -- idle
        END,
        CASE o.profile WHEN 0 THEN 15 WHEN 2 THEN 5 ELSE 0 END
      FROM orgs o CROSS JOIN generate_series(1, 60) AS d
      WHERE o.profile <> 3`);
    return { orgIds, ownerUserId };
  });
}

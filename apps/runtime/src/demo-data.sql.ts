import { sql, type CommonQueryMethods, type DatabasePool } from '#database';

export interface DemoData {
  readonly orgIds: string[];
  /** Owner of every demo org (for minting a demo token). */
  readonly ownerUserId: string;
}

export interface DemoDataOptions {
  /** Days of daily usage before `asOf` (default 60). */
  readonly days?: number;
  /** Number in the first org's name, "Demo org <n>" (default: after the highest one there is, see nextDemoNumber). */
  readonly firstNumber?: number;
}

/** The owner of every demo org: `revenue-engine token --sub` it for a user token. */
export const DEMO_OWNER_ID = '00000000-0000-4000-8000-00000000d3e0';

/**
 * What "Demo org <n>" does: profile n-1 mod 5 in this order, wallet tier 1 + (n-1) mod 3 (every
 * pair occurs), and its id (md5 of "demo-org-<n>"), so the same numbers give the same demo on
 * every machine, down to which orgs a holdout keeps out.
 */
export const DEMO_PROFILES = ['growing', 'flat-heavy-text', 'declining', 'stopped', 'idle'] as const;

/**
 * Demo orgs "Demo org <n>" with `days` (default 60) of daily usage before `asOf`, generated in
 * SQL. By n, in turn: growing (upsell, feature expansion), flat heavy text (upsell, cross-sell),
 * declining (churn risk), stopped 30 days ago (churn risk) and idle. Wallets on tiers 1-3 with
 * 0.5 credits. Members: the shared demo owner, one admin and two members per org (ids derived
 * from n). One transaction per call: callers seeding many orgs call it per batch (the CLI
 * does), so no transaction holds back the event store's readers for long.
 */
export async function seedDemoData(pool: DatabasePool, orgCount: number, asOf: Date, options: DemoDataOptions = {}): Promise<DemoData> {
  if (!Number.isInteger(orgCount) || orgCount < 1 || orgCount > 1_000_000)
    throw new RangeError(`orgs must be an integer from 1 to 1,000,000, got ${orgCount}`);
  const days = options.days ?? 60;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new RangeError(`days must be an integer from 1 to 3650, got ${days}`);
  const first = options.firstNumber ?? (await nextDemoNumber(pool));
  if (!Number.isInteger(first) || first < 1) throw new RangeError(`firstNumber must be a positive integer, got ${first}`);
  const profiles = DEMO_PROFILES.length;
  return pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      CREATE TEMPORARY TABLE demo_orgs ON COMMIT DROP AS
      WITH ins AS (
        INSERT INTO organizations (id, name)
        SELECT md5('demo-org-' || n)::uuid, 'Demo org ' || n FROM generate_series(${first}::int, ${first + orgCount - 1}::int) AS n
        RETURNING id, name)
      SELECT id, substring(name FROM 10)::int AS n FROM ins`);
    await tx.query(sql.unsafe`
      INSERT INTO token_wallets (org_id, tier, balance) SELECT id, 1 + (n - 1) % 3, 0.5 FROM demo_orgs`);
    await tx.query(sql.unsafe`
      INSERT INTO user_organizations (user_id, org_id, role)
      SELECT ${DEMO_OWNER_ID}::uuid, id, 'owner' FROM demo_orgs
      UNION ALL SELECT md5('demo-admin-' || n)::uuid, id, 'admin' FROM demo_orgs
      UNION ALL SELECT md5('demo-member-' || n || '-' || k)::uuid, id, 'member' FROM demo_orgs CROSS JOIN generate_series(1, 2) AS k`);
    await tx.query(sql.unsafe`
      INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used)
      SELECT o.id, ${asOf.toISOString()}::timestamptz - make_interval(days => d) + interval '1 hour',
        CASE (o.n - 1) % ${profiles}
          WHEN 0 THEN 1000 + (${days} - d) * 60                  -- growing
          WHEN 1 THEN 2200                                      -- flat, heavy text
          WHEN 2 THEN CASE WHEN d > 30 THEN 3000 ELSE 600 END   -- declining
          ELSE 4000                                             -- stopped: only before the last 30 days
        END,
        CASE (o.n - 1) % ${profiles} WHEN 0 THEN 15 WHEN 2 THEN 5 ELSE 0 END
      FROM demo_orgs o CROSS JOIN generate_series(1, ${days}) AS d
      WHERE (o.n - 1) % ${profiles} < 3 OR ((o.n - 1) % ${profiles} = 3 AND d > 30)`);
    const orgIds = (await tx.anyFirst(sql.unsafe`SELECT id FROM demo_orgs ORDER BY n`)) as string[];
    return { orgIds, ownerUserId: DEMO_OWNER_ID };
  });
}

/** The n of the next "Demo org <n>": demo data added later continues the numbering (and the profiles). */
export async function nextDemoNumber(db: CommonQueryMethods): Promise<number> {
  const highest = await db.oneFirst(sql.unsafe`
    SELECT coalesce(max(substring(name FROM 10)::int), 0) FROM organizations WHERE name ~ '^Demo org [0-9]{1,9}$'`);
  return Number(highest) + 1;
}

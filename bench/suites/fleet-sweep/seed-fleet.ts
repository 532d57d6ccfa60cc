import type pg from 'pg';
import { seedingSession } from '../support/seed-steps.js';

export interface FleetShape {
  readonly orgs: number;
  /** The sweep's "now": usage rows cover the `days` (default 60) days before it. */
  readonly asOf: Date;
  /** Days of history; beyond the sweep's two windows (60 days) every profile has its flat level. */
  readonly days?: number;
}

/**
 * 100k orgs x 60 daily token_usage rows, set-based. Profiles by org number i (i % 20):
 * 0-7 flat (daily usage +-10%), 8-11 growing (recent window 1.8x the previous), 12-14 declining
 * (45 rows before, 15 rows in the recent window at 60%), 15-19 idle (rows of zero usage).
 * Daily size is skewed: 20 + 3000 x u^3 text tokens (u uniform), so most orgs are small;
 * one org in three also uses voice. 96% have a wallet: tiers 1-3, balances 0-500 credits.
 * Rows arrive day by day, as a platform writes them, so one org's rows are spread over the heap.
 */
export async function seedFleet(client: pg.Client, shape: FleetShape, log: (line: string) => void): Promise<void> {
  const asOf = shape.asOf.toISOString();
  const step = await seedingSession(client, log);
  // Org i (int8: i * 7919 overflows int4 past 271,000 orgs): random-looking id, profile p, daily text tokens b.
  await client.query(
    `CREATE TEMP TABLE bench_orgs AS SELECT i, md5('bench-org-' || i)::uuid AS id, i % 20 AS p,
      20 + floor(3000 * power(((i * 7919) % 1000) / 1000.0, 3))::int AS b FROM generate_series(1::int8, $1::int8) i`,
    [shape.orgs],
  );
  await step(
    'organizations',
    `INSERT INTO organizations (id, name, created_at)
      SELECT id, 'Bench org ' || i, $1::timestamptz - interval '400 days' FROM bench_orgs`,
    [asOf],
  );
  await step(
    'token_wallets',
    `INSERT INTO token_wallets (org_id, tier, balance, updated_at)
      SELECT id, 1 + (i / 3) % 3, ((i * 7919) % 10000) / 20.0, $1::timestamptz FROM bench_orgs WHERE i % 25 <> 7`,
    [asOf],
  );

  // Bulk load without the indexes and foreign key, then rebuild them exactly as the migrations defined them.
  const indexes = (
    await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'token_usage'
      AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'token_usage'::regclass)`)
  ).rows as Array<{ indexname: string; indexdef: string }>;
  const constraints = (
    await client.query(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE conrelid = 'token_usage'::regclass AND contype IN ('p', 'f') ORDER BY contype DESC`)
  ).rows as Array<{ conname: string; def: string }>;
  for (const c of constraints) await client.query(`ALTER TABLE token_usage DROP CONSTRAINT "${c.conname}"`);
  for (const i of indexes) await client.query(`DROP INDEX "${i.indexname}"`);
  // Row ids are counters in UUID form: gen_random_uuid() would cost ~10 us a row here, and no query reads them.
  await step(
    'token_usage rows',
    `INSERT INTO token_usage (id, org_id, period_start, text_tokens_used, voice_seconds_used)
      SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(o.i * 1000 + s.k), 12, '0'))::uuid, o.id, $1::timestamptz - make_interval(days => s.d, hours => -s.h),
        CASE WHEN o.p < 8 THEN o.b * (90 + (o.i * 31 + s.k * 17) % 21) / 100
             WHEN o.p < 12 THEN CASE WHEN s.d <= 30 THEN o.b * 18 / 10 ELSE o.b END
             WHEN o.p < 15 THEN CASE WHEN s.d <= 30 THEN o.b * 6 / 10 ELSE o.b * 2 / 3 END
             ELSE 0 END,
        CASE WHEN o.p < 15 AND o.i % 3 = 0 THEN 1 + o.i % 20 ELSE 0 END
      FROM generate_series($2::int, 1, -1) k
      CROSS JOIN bench_orgs o
      CROSS JOIN LATERAL (SELECT k,
        CASE WHEN o.p BETWEEN 12 AND 14 AND k <= 60 THEN (CASE WHEN k <= 15 THEN 2 * k - 1 ELSE 31 + (k - 16) % 30 END) ELSE k END AS d,
        CASE WHEN o.p BETWEEN 12 AND 14 AND k BETWEEN 16 AND 60 THEN 1 + 12 * ((k - 16) / 30) ELSE 1 END AS h) s`,
    [asOf, shape.days ?? 60],
  );
  for (const c of constraints) await step(`constraint ${c.conname}`, `ALTER TABLE token_usage ADD CONSTRAINT "${c.conname}" ${c.def}`);
  for (const i of indexes) await step(`index ${i.indexname}`, i.indexdef);
  await step('VACUUM ANALYZE', 'VACUUM ANALYZE organizations, token_wallets, token_usage');
}

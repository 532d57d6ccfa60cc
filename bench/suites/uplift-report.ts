import pg from 'pg';
import { createDatabasePool } from '#database';
import { effectReport, type EffectReport } from '#read-models';
import { metric, type BenchContext, type Metric, type Suite } from '../harness.js';
import { describeSplit, measureCpu } from './support/cpu.js';
import { seedingSession } from './support/seed-steps.js';

const ORGS = 100_000;
const MONTHS = 12;
const AS_OF = new Date('2026-12-01T00:00:00.000Z');
const OBSERVATION_WINDOW_DAYS = 30;
// Planted conversion rates (per mille): the report must recover a lift of about 15 points.
const TREATMENT_PER_MILLE = 300;
const CONTROL_PER_MILLE = 150;

/**
 * Issue 14: the uplift report (effectReport) over 100,000 orgs x 12 months of observed
 * opportunities (1.2M rows; an org meets each play 2-3 times, so 500,000 counted units), with
 * one charged action per treated opportunity. The rows are seeded in SQL, not through the event
 * log: this measures the report's query, not the projection.
 */
export const upliftReport: Suite = {
  name: 'uplift-report',
  description: `effectReport over ${ORGS.toLocaleString('en-US')} orgs x ${MONTHS} months of observed opportunities`,
  async run(ctx: BenchContext): Promise<Metric[]> {
    const url = await ctx.freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await seedObservations(client, ctx.log);
    } finally {
      await client.end();
    }
    const pool = await createDatabasePool(url);
    try {
      const samples: number[] = [];
      for (let round = 1; round <= ctx.rounds; round++) {
        const { result, split } = await measureCpu(pool, () =>
          effectReport(pool, { now: AS_OF, observationWindowDays: OBSERVATION_WINDOW_DAYS }),
        );
        assertPlanted(result);
        const lift = result.overall.lift;
        ctx.log(
          `round ${round}: ${result.plays.length} plays, ${result.overall.treatment.orgs + result.overall.control.orgs} units, ` +
            `lift ${lift ? `${(100 * lift.estimate).toFixed(2)} points [${(100 * lift.low).toFixed(2)}, ${(100 * lift.high).toFixed(2)}]` : 'none'}; ` +
            describeSplit(split),
        );
        samples.push(split.wallS);
      }
      return [metric('effectReport (per play and overall), 1.2M observed opportunities', 's', samples, { target: '<= 2' })];
    } finally {
      await pool.end();
    }
  },
};

/** A fast but wrong report fails the suite: every unit counted, the planted lift inside the interval. */
function assertPlanted(report: EffectReport): void {
  const units = report.overall.treatment.orgs + report.overall.control.orgs;
  if (report.plays.length !== 5 || units !== ORGS * 5)
    throw new Error(`expected 5 plays and ${ORGS * 5} units, got ${report.plays.length} and ${units}`);
  const lift = report.overall.lift;
  const planted = (TREATMENT_PER_MILLE - CONTROL_PER_MILLE) / 1000;
  if (!lift || lift.low > planted || lift.high < planted)
    throw new Error(`planted lift ${planted} outside the report's interval ${JSON.stringify(lift)}`);
}

/**
 * Org i, month m (0 = 12 months before AS_OF): one opportunity of type (i + m) % 5, detected on
 * day (i % 28) of that month and observed 30 days later (the last observation before AS_OF). The arm is a hash of org and experiment
 * (10 % control), stable across the org's re-detections as the real assignment is; conversion is
 * a hash of org and month below the arm's planted rate. Treated opportunities carry one sent
 * action that charged 0.02 credits.
 */
export async function seedObservations(client: pg.Client, log: (line: string) => void): Promise<void> {
  const step = await seedingSession(client, log);
  await client.query(`CREATE TEMP TABLE bench_orgs AS SELECT i, md5('bench-org-' || i)::uuid AS id FROM generate_series(1, $1::int) i`, [
    ORGS,
  ]);
  await step(
    'organizations',
    `INSERT INTO organizations (id, name, created_at) SELECT id, 'Bench org ' || i, $1::timestamptz - interval '400 days' FROM bench_orgs`,
    [AS_OF.toISOString()],
  );
  const tables = ['revenue_actions', 'revenue_opportunities']; // actions first: their foreign key needs the opportunities' key
  const saved: SavedIndexes[] = [];
  for (const table of tables) saved.push(await dropIndexes(client, table));
  await client.query(
    `CREATE TEMP TABLE bench_opportunities AS
      SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(o.i * 100 + m), 12, '0'))::uuid AS id, o.id AS org_id, t.type,
        t.type || '-holdout-1' AS experiment_id,
        CASE WHEN abs(hashtext(o.id::text || t.type)) % 100 < 10 THEN 'control' ELSE 'treatment' END AS arm,
        $1::timestamptz - make_interval(months => $2::int + 1 - m, days => -(o.i % 28)) AS created_at,
        abs(hashtext(o.i || '-' || m)) % 1000 AS draw
      FROM bench_orgs o CROSS JOIN generate_series(0, $2::int - 1) m
      CROSS JOIN LATERAL (SELECT (ARRAY['upsell', 'cross_sell', 'feature_expansion', 'retention_intervention',
        'credit_marketplace_offer'])[1 + (o.i + m) % 5] AS type) t`,
    [AS_OF.toISOString(), MONTHS],
  );
  await step(
    'revenue_opportunities rows',
    `INSERT INTO revenue_opportunities (id, org_id, type, source, confidence, details, created_at, status, evidence, rule_set_version,
        updated_at, closed_at, close_reason, experiment_id, arm, holdout_share, observed_at, converted, realised_mrr, observation)
      SELECT id, org_id, type, 'bench', 0.8, '{}'::jsonb, created_at, c.status, '{}'::jsonb, 'bench-holdouts-1',
        observed_at, observed_at, 'observed', experiment_id, arm, 0.1, observed_at, c.converted, CASE WHEN c.converted THEN 15 ELSE 0 END,
        jsonb_build_object('windowStart', created_at, 'windowEnd', observed_at, 'evidence', '{}'::jsonb)
      FROM bench_opportunities
      CROSS JOIN LATERAL (SELECT created_at + make_interval(days => $1::int) AS observed_at) w
      CROSS JOIN LATERAL (SELECT draw < CASE WHEN arm = 'control' THEN $2::int ELSE $3::int END AS converted) k
      CROSS JOIN LATERAL (SELECT CASE WHEN k.converted THEN 'won' ELSE 'expired' END AS status, k.converted) c`,
    [OBSERVATION_WINDOW_DAYS, CONTROL_PER_MILLE, TREATMENT_PER_MILLE],
  );
  await step(
    'revenue_actions rows (treatment only)',
    `INSERT INTO revenue_actions (id, opportunity_id, performed_at, action_type, result, metadata, org_id, status, credits_reserved,
        credits_charged, updated_at)
      SELECT ('00000000-0000-4000-9000-' || right(id::text, 12))::uuid, id, created_at, 'send_email', 'sent', '{}'::jsonb, org_id, 'sent', 0,
        0.02, created_at
      FROM bench_opportunities WHERE arm = 'treatment'`,
  );
  for (const s of [...saved].reverse()) await restoreIndexes(client, s, step);
  await step('VACUUM ANALYZE', 'VACUUM ANALYZE organizations, revenue_opportunities, revenue_actions');
}

interface SavedIndexes {
  readonly table: string;
  readonly indexes: ReadonlyArray<{ indexname: string; indexdef: string }>;
  readonly constraints: ReadonlyArray<{ conname: string; def: string }>;
}

/** Bulk load without indexes, primary key and foreign keys; restoreIndexes rebuilds them as the migrations defined them. */
async function dropIndexes(client: pg.Client, table: string): Promise<SavedIndexes> {
  const indexes = (
    await client.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass)`,
      [table],
    )
  ).rows as Array<{ indexname: string; indexdef: string }>;
  const constraints = (
    await client.query(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'f')
        ORDER BY contype DESC`,
      [table],
    )
  ).rows as Array<{ conname: string; def: string }>;
  for (const c of [...constraints].reverse()) await client.query(`ALTER TABLE ${table} DROP CONSTRAINT "${c.conname}"`);
  for (const i of indexes) await client.query(`DROP INDEX "${i.indexname}"`);
  return { table, indexes, constraints };
}

async function restoreIndexes(client: pg.Client, saved: SavedIndexes, step: (what: string, text: string) => Promise<void>): Promise<void> {
  for (const c of saved.constraints)
    await step(`${saved.table} constraint ${c.conname}`, `ALTER TABLE ${saved.table} ADD CONSTRAINT "${c.conname}" ${c.def}`);
  for (const i of saved.indexes) await step(`${saved.table} index ${i.indexname}`, i.indexdef);
}

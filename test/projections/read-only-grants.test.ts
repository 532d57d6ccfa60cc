import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDatabase, createDatabasePool, dropDatabase, migrate, sql, type DatabasePool } from '#database';
import { testServerUrl } from '#database/testing';
import { PostgresEventStore } from '#event-store';
import { ProjectionRunner, postgresLogLag } from '#projection-runner';
import { allProjections } from '#read-models';
import { appendCounted } from './support/log.js';

const ORG = randomUUID();
const MEMBER = randomUUID();
const ADMIN = randomUUID();

/** Every table migration 109 makes read-only (or inaccessible), with a column UPDATE can set to DEFAULT. */
const TABLES: ReadonlyArray<readonly [table: string, column: string]> = [
  ['revenue_opportunities', 'details'],
  ['revenue_actions', 'metadata'],
  ['revenue_org_streams', 'updated_at'],
  ['credit_ledger', 'recorded_at'],
  ['revenue_daily_opportunities', 'detected'],
  ['revenue_daily_actions', 'entered'],
  ['revenue_daily_opportunity_state', 'confidence'],
  ['event_store.streams', 'revision'],
  ['event_store.events', 'recorded_at'],
  ['projection_checkpoints', 'updated_at'],
  ['projection_dead_letters', 'parked_at'],
  ['api_idempotency_keys', 'completed_at'],
  ['pgmigrations', 'run_on'],
];
/** The only SELECT grants clients have (migrations 107, 115); everything else is no access at all. */
const READABLE_BY_AUTHENTICATED = new Set([
  'revenue_opportunities',
  'revenue_actions',
  'revenue_daily_opportunities',
  'revenue_daily_actions',
]);
const WRITES = ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
const PROJECTED = [
  'revenue_opportunities',
  'revenue_actions',
  'revenue_org_streams',
  'credit_ledger',
  'revenue_daily_opportunities',
  'revenue_daily_actions',
  'revenue_daily_opportunity_state',
];

type Actor = { readonly name: string; readonly role: 'authenticated' | 'anon'; readonly sub: string | null };
const ACTORS: readonly Actor[] = [
  { name: 'member', role: 'authenticated', sub: MEMBER },
  { name: 'admin', role: 'authenticated', sub: ADMIN },
  { name: 'anon', role: 'anon', sub: null },
];

/** A statement built at run time (test-owned constants only, never input). */
function raw(text: string) {
  const parts = Object.freeze(Object.assign([text], { raw: Object.freeze([text]) }));
  return sql.unsafe(parts as unknown as TemplateStringsArray);
}

function sqlState(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/** Runs `statement` as `actor` (claims + role transaction-local, as PostgREST does); returns its SQLSTATE, 'ok' if it ran. */
async function attempt(pool: DatabasePool, actor: Actor, statement: string): Promise<string> {
  try {
    await pool.transaction(async (tx) => {
      const claims = actor.sub ? JSON.stringify({ sub: actor.sub, role: actor.role }) : '';
      await tx.query(sql.unsafe`SELECT set_config('request.jwt.claims', ${claims}, true), set_config('role', ${actor.role}, true)`);
      await tx.query(raw(statement));
    });
    return 'ok';
  } catch (error) {
    return sqlState(error) ?? String(error);
  }
}

function writeStatements(table: string, column: string): string[] {
  return [
    `INSERT INTO ${table} DEFAULT VALUES`,
    `UPDATE ${table} SET ${column} = DEFAULT`,
    `DELETE FROM ${table}`,
    `TRUNCATE ${table} CASCADE`,
  ];
}

/** The statement an INSERT policy of migration 103 admits for a member of ORG. */
const ADMISSIBLE_INSERT = `INSERT INTO revenue_opportunities (org_id, type, source) VALUES ('${ORG}', 'upsell', 'usage_analysis')`;

/** Every write by every client actor on every table, as SQLSTATEs (all must be 42501). */
async function writeOutcomes(pool: DatabasePool): Promise<Record<string, string>> {
  const outcomes: Record<string, string> = {};
  for (const actor of ACTORS) {
    outcomes[`${actor.name}: ${ADMISSIBLE_INSERT}`] = await attempt(pool, actor, ADMISSIBLE_INSERT);
    for (const [table, column] of TABLES) {
      for (const statement of writeStatements(table, column))
        outcomes[`${actor.name}: ${statement}`] = await attempt(pool, actor, statement);
    }
  }
  return outcomes;
}

/** Catalog view: which privileges anon / authenticated hold on each table (and its identity sequence). */
async function clientPrivileges(pool: DatabasePool): Promise<Record<string, string[]>> {
  const rows = await pool.any(sql.unsafe`
    SELECT r.role || ' ' || t.name AS key,
           coalesce(array_agg(p.privilege ORDER BY p.privilege) FILTER (WHERE has_table_privilege(r.role, t.name, p.privilege)), ARRAY[]::text[]) AS privileges
    FROM unnest(${sql.array(
      TABLES.map(([t]) => t),
      'text',
    )}::text[]) AS t(name)
    CROSS JOIN (VALUES ('authenticated'), ('anon')) AS r(role)
    CROSS JOIN unnest(${sql.array(['SELECT', ...WRITES], 'text')}::text[]) AS p(privilege)
    GROUP BY 1
    UNION ALL
    SELECT r.role || ' ' || s.seq, array_remove(ARRAY[
             CASE WHEN has_sequence_privilege(r.role, s.seq, 'USAGE') THEN 'USAGE' END,
             CASE WHEN has_sequence_privilege(r.role, s.seq, 'UPDATE') THEN 'UPDATE' END], NULL)
    FROM (VALUES (pg_get_serial_sequence('credit_ledger', 'id')), (pg_get_serial_sequence('projection_dead_letters', 'id')),
                 (pg_get_serial_sequence('event_store.events', 'global_position'))) AS s(seq)
    CROSS JOIN (VALUES ('authenticated'), ('anon')) AS r(role)`);
  return Object.fromEntries(rows.map((r) => [r.key as string, r.privileges as string[]]));
}

function expectedPrivileges(): Record<string, string[]> {
  const expected: Record<string, string[]> = {};
  for (const [table] of TABLES) {
    expected[`authenticated ${table}`] = READABLE_BY_AUTHENTICATED.has(table) ? ['SELECT'] : [];
    expected[`anon ${table}`] = [];
  }
  return expected;
}

/** Read-model rows written as the owner (what the projections do). */
async function seedReadModel(pool: DatabasePool): Promise<void> {
  const opportunity = randomUUID();
  await pool.query(sql.unsafe`
    INSERT INTO revenue_opportunities (id, org_id, type, source, confidence) VALUES (${opportunity}, ${ORG}, 'cross_sell', 'usage_analysis', 0.5)`);
  await pool.query(sql.unsafe`
    INSERT INTO revenue_actions (opportunity_id, org_id, action_type, result) VALUES (${opportunity}, ${ORG}, 'send_email', 'pending')`);
  await pool.query(sql.unsafe`
    INSERT INTO revenue_org_streams (org_id, stream_revision) VALUES (${ORG}, 0)
    ON CONFLICT (org_id) DO UPDATE SET stream_revision = revenue_org_streams.stream_revision + 1`);
  await pool.query(sql.unsafe`
    INSERT INTO credit_ledger (org_id, action_id, kind, amount, event_id, recorded_at) VALUES (${ORG}, ${randomUUID()}, 'charge', 1, ${randomUUID()}, now())`);
  await pool.query(sql.unsafe`
    INSERT INTO revenue_daily_opportunities (org_id, day, opportunity_type, detected, open_confidence_delta)
    VALUES (${ORG}, '2026-11-01', 'cross_sell', 1, 0.5) ON CONFLICT DO NOTHING`);
  await pool.query(sql.unsafe`
    INSERT INTO revenue_daily_actions (org_id, day, status, entered) VALUES (${ORG}, '2026-11-01', 'proposed', 1) ON CONFLICT DO NOTHING`);
  await pool.query(sql.unsafe`
    INSERT INTO revenue_daily_opportunity_state (opportunity_id, org_id, opportunity_type, confidence, open)
    VALUES (${randomUUID()}, ${ORG}, 'cross_sell', 0.5, true)`);
}

async function countAll(pool: DatabasePool): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [table] of TABLES) {
    counts[table] = (await pool.oneFirst(raw(`SELECT count(*)::int FROM ${table}`))) as number;
  }
  return counts;
}

/** Rows of the API read models `user` sees as role authenticated, through the RLS policies of 103 / 113 / 115. */
async function visibleTo(pool: DatabasePool, user: string): Promise<{ opportunities: number; actions: number; daily: number }> {
  return pool.transaction(async (tx) => {
    await tx.query(
      sql.unsafe`SELECT set_config('request.jwt.claims', ${JSON.stringify({ sub: user, role: 'authenticated' })}, true), set_config('role', 'authenticated', true)`,
    );
    return (await tx.one(sql.unsafe`
      SELECT (SELECT count(*) FROM revenue_opportunities)::int AS opportunities, (SELECT count(*) FROM revenue_actions)::int AS actions,
             ((SELECT count(*) FROM revenue_daily_opportunities) + (SELECT count(*) FROM revenue_daily_actions))::int AS daily`)) as {
      opportunities: number;
      actions: number;
      daily: number;
    };
  });
}

async function tableOids(pool: DatabasePool): Promise<Record<string, number>> {
  const rows = await pool.any(
    sql.unsafe`SELECT t AS name, t::regclass::oid::int AS oid FROM unnest(${sql.array(PROJECTED, 'text')}::text[]) t`,
  );
  return Object.fromEntries(rows.map((r) => [r.name as string, r.oid as number]));
}

/** Every projection live at its version, no rebuild pending and no shadow table left. */
async function untilSettled(pool: DatabasePool): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const settled = await pool.oneFirst(sql.unsafe`
      SELECT (SELECT count(*) FROM projection_checkpoints
              WHERE status = 'running' AND NOT rebuild_requested AND rebuild_version IS NULL AND version >= 1) = ${allProjections.length}
         AND NOT EXISTS (SELECT 1 FROM pg_class WHERE relname LIKE '%__rebuild%' AND relkind = 'r')`);
    if (settled) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('projections never settled');
}

function allRefused(outcomes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(outcomes).map((k) => [k, '42501']));
}

describe('migration 109: clients (authenticated, anon) cannot write the read models, event store or bookkeeping', () => {
  const serverUrl = testServerUrl();
  const name = `re_test_ro_${randomBytes(5).toString('hex')}`;
  let url: string;
  let pool: DatabasePool;
  let store: PostgresEventStore;
  let runner: ProjectionRunner;

  beforeAll(async () => {
    // An empty database with Supabase-style default privileges in place BEFORE the migrations run.
    url = await createDatabase(serverUrl, name);
    const setup = await createDatabasePool(url, { maximumPoolSize: 1 });
    try {
      for (const role of ['authenticated', 'anon']) {
        await setup.query(
          raw(
            `DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN NOINHERIT; END IF;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
          ),
        );
      }
      await setup.query(sql.unsafe`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO authenticated, anon`);
      await setup.query(sql.unsafe`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO authenticated, anon`);
      await setup.query(sql.unsafe`ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO authenticated, anon`);
      await setup.query(sql.unsafe`ALTER DEFAULT PRIVILEGES GRANT ALL ON SEQUENCES TO authenticated, anon`);
      await setup.query(sql.unsafe`ALTER DEFAULT PRIVILEGES GRANT ALL ON SCHEMAS TO authenticated, anon`);
    } finally {
      await setup.end();
    }
    await migrate(url);
    pool = await createDatabasePool(url, { maximumPoolSize: 8 });

    await pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${ORG}, 'read-only-org')`);
    await pool.query(sql.unsafe`
      INSERT INTO user_organizations (user_id, org_id, role) VALUES (${MEMBER}, ${ORG}, 'member'), (${ADMIN}, ${ORG}, 'admin')`);
    await pool.query(sql.unsafe`
      INSERT INTO api_idempotency_keys (principal, idempotency_key, fingerprint, lease_until) VALUES ('p', 'k', 'f', now())`);

    store = new PostgresEventStore({ pool, connectionUrl: url, pollIntervalMs: 50 });
    runner = new ProjectionRunner({
      store,
      pool,
      connectionUrl: url,
      projections: allProjections,
      lag: postgresLogLag(pool),
      lockRetryMs: 50,
      controlPollMs: 50,
      logger: { info: () => undefined, warn: () => undefined, error: (m) => console.error(m) },
    });
    // Events the revenue projections ignore: they only fill the event store and checkpoints.
    const head = await appendCounted(store, 3, { streams: 1 });
    runner.start();
    for (const p of allProjections) expect(await runner.waitFor(p.name, head, 30_000)).toBe(true);
    await untilSettled(pool);
    await seedReadModel(pool); // after the first start settled: a rebuild would replace these rows
    await pool.query(sql.unsafe`
      INSERT INTO projection_dead_letters (projection, event_id, event_type, stream_name, stream_revision, commit_position, prepare_position, error, attempts)
      VALUES ('none', 'e', 't', 's', 0, 0, 0, 'x', 1)`);
  }, 300_000);

  afterAll(async () => {
    await runner?.stop();
    await store?.close();
    await pool?.end();
    await dropDatabase(serverUrl, name);
  });

  it('the setup is Supabase-like: default privileges reached the tables 109 does not cover', async () => {
    expect(
      await pool.one(sql.unsafe`
        SELECT has_table_privilege('anon', 'user_organizations', 'INSERT') AS anon, has_table_privilege('authenticated', 'token_wallets', 'DELETE') AS authenticated`),
    ).toEqual({ anon: true, authenticated: true });
  });

  it('the member INSERT the policy of 103 admits would succeed if the privilege were there (control)', async () => {
    const outcome = await pool
      .transaction(async (tx) => {
        await tx.query(sql.unsafe`GRANT INSERT ON revenue_opportunities TO authenticated`);
        await tx.query(
          sql.unsafe`SELECT set_config('request.jwt.claims', ${JSON.stringify({ sub: MEMBER, role: 'authenticated' })}, true), set_config('role', 'authenticated', true)`,
        );
        await tx.query(raw(ADMISSIBLE_INSERT));
        throw new Error('inserted; roll back');
      })
      .catch((error: Error) => error.message);
    expect(outcome).toBe('inserted; roll back');
    expect(await pool.oneFirst(sql.unsafe`SELECT has_table_privilege('authenticated', 'revenue_opportunities', 'INSERT')`)).toBe(false);
  });

  it('no client holds a write privilege; authenticated keeps SELECT on the two API read models only', async () => {
    const privileges = await clientPrivileges(pool);
    expect(Object.fromEntries(Object.entries(privileges).filter(([k]) => !k.includes('_seq')))).toEqual(expectedPrivileges());
    expect(Object.entries(privileges).filter(([k, v]) => k.includes('_seq') && v.length > 0)).toEqual([]);
  });

  it('every INSERT, UPDATE, DELETE and TRUNCATE by member, admin and anon fails with 42501; nothing changes', async () => {
    const before = await countAll(pool);
    const outcomes = await writeOutcomes(pool);
    expect(outcomes).toEqual(allRefused(outcomes));
    expect(Object.keys(outcomes).length).toBe(ACTORS.length * (1 + TABLES.length * 4));
    expect(await countAll(pool)).toEqual(before);
  });

  it('SELECT still works under RLS: the admin sees the org rows, the member none, anon is refused', async () => {
    expect(await visibleTo(pool, ADMIN)).toEqual({ opportunities: 1, actions: 1, daily: 2 });
    expect(await visibleTo(pool, MEMBER)).toEqual({ opportunities: 0, actions: 0, daily: 0 });
    expect(await attempt(pool, ACTORS[2]!, 'SELECT count(*) FROM revenue_opportunities')).toBe('42501');
  });

  it('after a rebuild swaps in fresh tables (which got the default privileges), writes are still refused', async () => {
    const oidsBefore = await tableOids(pool);
    for (const p of allProjections) await runner.rebuild(p.name, { timeoutMs: 60_000 });
    await untilSettled(pool);
    const oidsAfter = await tableOids(pool);
    for (const table of PROJECTED) expect(oidsAfter[table]).not.toBe(oidsBefore[table]); // really new tables

    const privileges = await clientPrivileges(pool);
    expect(Object.fromEntries(Object.entries(privileges).filter(([k]) => !k.includes('_seq')))).toEqual(expectedPrivileges());
    expect(Object.entries(privileges).filter(([k, v]) => k.includes('_seq') && v.length > 0)).toEqual([]);

    await seedReadModel(pool); // the rebuild replayed an empty revenue log
    const before = await countAll(pool);
    const outcomes = await writeOutcomes(pool);
    expect(outcomes).toEqual(allRefused(outcomes));
    expect(await countAll(pool)).toEqual(before);
    expect(await visibleTo(pool, ADMIN)).toEqual({ opportunities: 1, actions: 1, daily: 2 });
    expect(await visibleTo(pool, MEMBER)).toEqual({ opportunities: 0, actions: 0, daily: 0 });
  }, 300_000);
});

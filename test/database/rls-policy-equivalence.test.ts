import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot, sql, type DatabaseTransactionConnection } from '#database';
import { createTestDatabase, type TestDatabase } from '#database/testing';

/**
 * Migration 113 replaces the SELECT policies of migration 103 by per-row probes of the caller's
 * membership (fast for a principal with 25,000 orgs). This proves they admit exactly the same
 * rows: for every principal, what each policy version lets through equals what 103's rule
 * admits, written out as an explicit query run as the owner (no RLS), and equals what 103's own
 * policy text (read from migrations/103, installed in a rolled-back transaction) lets through.
 */
const BIG_ORGS = 25_000;

type Table = 'revenue_opportunities' | 'revenue_actions';
type Claims = Record<string, unknown> | null;
interface Principal {
  readonly name: string;
  /** The user whose memberships 103's rule consults; null when auth.uid() is null. */
  readonly userId: string | null;
  readonly claims: Claims;
}
interface Visible {
  readonly all: Record<Table, string[]>;
  /** The API's shapes: one org's opportunities, one opportunity's actions (constant org_id / opportunity_id). */
  readonly perOrg: Record<string, string[]>;
  readonly perOpportunity: Record<string, string[]>;
}

/** The two SELECT policies exactly as the specification's migration 103 writes them. */
function policiesOf103(): string[] {
  const text = readFileSync(join(projectRoot(), 'migrations', '103_autonomous_revenue_engine.sql'), 'utf8');
  const statements = text.match(/CREATE POLICY revenue_(?:opportunities|actions)_select\b[^;]*;/g) ?? [];
  expect(statements).toHaveLength(2);
  return statements;
}

/** A statement read from a file, run as it is: slonik takes SQL only as a template, so make it one. */
const statementText = (text: string) => sql.unsafe(Object.freeze(Object.assign([text], { raw: Object.freeze([text]) })));

/** Puts 103's SELECT policies back in place of 113's (inside the caller's transaction). */
async function install103(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.unsafe`DROP POLICY revenue_opportunities_select ON revenue_opportunities`);
  await tx.query(sql.unsafe`DROP POLICY revenue_actions_select ON revenue_actions`);
  for (const statement of policiesOf103()) await tx.query(statementText(statement));
}

describe('RLS SELECT policies of migration 113 admit exactly the rows of migration 103', () => {
  let db: TestDatabase;
  const [owner, admin, member, otherOwner, mixed, big, nobody] = [
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
  ];
  let orgs: { a: string; b: string; c: string };
  let sampleOpportunities: string[] = [];
  let principals: Principal[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = async (name: string) =>
      (await db.pool.oneFirst(sql.unsafe`INSERT INTO organizations (name) VALUES (${name}) RETURNING id`)) as string;
    orgs = { a: await org('a'), b: await org('b'), c: await org('c') };
    await db.pool.query(sql.unsafe`
      INSERT INTO user_organizations (user_id, org_id, role) VALUES
        (${owner}, ${orgs.a}, 'owner'), (${admin}, ${orgs.a}, 'admin'), (${member}, ${orgs.a}, 'member'),
        (${otherOwner}, ${orgs.b}, 'owner'),
        (${mixed}, ${orgs.a}, 'member'), (${mixed}, ${orgs.c}, 'admin'),
        (${big}, ${orgs.a}, 'owner'), (${big}, ${orgs.b}, 'member')`);
    // The large principal: owner or admin of 25,000 more orgs (member of B, so not everything is readable).
    await db.pool.query(sql.unsafe`
      WITH created AS (
        INSERT INTO organizations (name) SELECT 'big ' || g FROM generate_series(1, ${BIG_ORGS - 1}) g RETURNING id)
      INSERT INTO user_organizations (user_id, org_id, role)
      SELECT ${big}, id, CASE WHEN row_number() OVER () % 2 = 0 THEN 'owner' ELSE 'admin' END FROM created`);
    // Opportunities in A, B, C and in every 250th of the large principal's orgs; an org with none.
    await db.pool.query(sql.unsafe`
      INSERT INTO revenue_opportunities (org_id, type, source, confidence, status)
      SELECT o.id, t.type, 'usage_analysis', 0.5, CASE WHEN t.type = 'upsell' THEN 'open' ELSE 'expired' END
      FROM organizations o CROSS JOIN (VALUES ('upsell'), ('cross_sell')) AS t(type)
      WHERE o.name IN ('a', 'b', 'c') OR (o.name LIKE 'big %' AND substr(o.name, 5)::int % 250 = 0)`);
    // Two actions per opportunity in A, B, C; one per sampled big org (org_id left null on some, as 103 allows).
    await db.pool.query(sql.unsafe`
      INSERT INTO revenue_actions (opportunity_id, org_id, action_type, result)
      SELECT r.id, CASE WHEN n = 1 THEN r.org_id END, 'offer_upgrade', 'pending'
      FROM revenue_opportunities r JOIN organizations o ON o.id = r.org_id
      CROSS JOIN generate_series(1, 2) n
      WHERE n = 1 OR o.name IN ('a', 'b', 'c')`);
    await db.pool.query(sql.unsafe`ANALYZE organizations, user_organizations, revenue_opportunities, revenue_actions`);
    sampleOpportunities = (await db.pool.anyFirst(sql.unsafe`
      SELECT id FROM revenue_opportunities WHERE org_id = ANY(${sql.array([orgs.a, orgs.b, orgs.c], 'uuid')}) ORDER BY id`)) as string[];
    const user = (name: string, id: string): Principal => ({ name, userId: id, claims: { sub: id, role: 'authenticated' } });
    principals = [
      user('owner', owner),
      user('admin', admin),
      user('member', member),
      user("other org's owner", otherOwner),
      user('member of one org, admin of another', mixed),
      user(`owner/admin of ${BIG_ORGS.toLocaleString('en-US')} orgs`, big),
      user('user with no memberships', nobody),
      // The anon key's claims (no sub) and no claims at all: auth.uid() is null.
      { name: 'anon claims', userId: null, claims: { role: 'anon' } },
      { name: 'no claims', userId: null, claims: null },
    ];
  });
  afterAll(async () => db?.drop());

  /** What `claims` may read as role `authenticated`, as withRlsSession sets it (no WHERE: only the policies filter). */
  async function visibleAs(tx: DatabaseTransactionConnection, claims: Claims): Promise<Visible> {
    await tx.query(sql.unsafe`SELECT set_config('request.jwt.claims', ${claims ? JSON.stringify(claims) : ''}, true)`);
    await tx.query(sql.unsafe`SET LOCAL ROLE authenticated`);
    const ids = async (query: ReturnType<typeof sql.unsafe>) => [...((await tx.anyFirst(query)) as string[])].sort();
    const visible: Visible = {
      all: {
        revenue_opportunities: await ids(sql.unsafe`SELECT id FROM revenue_opportunities`),
        revenue_actions: await ids(sql.unsafe`SELECT id FROM revenue_actions`),
      },
      perOrg: {},
      perOpportunity: {},
    };
    for (const org of Object.values(orgs))
      visible.perOrg[org] = await ids(
        sql.unsafe`SELECT id FROM revenue_opportunities WHERE org_id = ${org} ORDER BY confidence DESC, id DESC LIMIT 51`,
      );
    for (const opportunity of sampleOpportunities)
      visible.perOpportunity[opportunity] = await ids(sql.unsafe`SELECT id FROM revenue_actions WHERE opportunity_id = ${opportunity}`);
    await tx.query(sql.unsafe`RESET ROLE`);
    return visible;
  }

  /** Migration 103's rule written out, run as the owner (RLS does not apply): owner or admin of the row's org. */
  async function admittedBy103(userId: string | null): Promise<Visible['all']> {
    const readable = sql.fragment`SELECT org_id FROM user_organizations WHERE user_id = ${userId}::uuid AND role IN ('owner', 'admin')`;
    const sorted = async (query: ReturnType<typeof sql.unsafe>) => [...((await db.pool.anyFirst(query)) as string[])].sort();
    return {
      revenue_opportunities: await sorted(sql.unsafe`SELECT id FROM revenue_opportunities WHERE org_id IN (${readable})`),
      revenue_actions: await sorted(sql.unsafe`
        SELECT id FROM revenue_actions WHERE opportunity_id IN (SELECT id FROM revenue_opportunities WHERE org_id IN (${readable}))`),
    };
  }

  const rollback = new Error('rollback');
  /** Runs `fn` in a transaction that is always rolled back (policy swaps never reach other reads). */
  async function inRolledBackTransaction<T>(fn: (tx: DatabaseTransactionConnection) => Promise<T>): Promise<T> {
    let result: T | undefined;
    await db.pool
      .transaction(async (tx) => {
        result = await fn(tx);
        throw rollback;
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      });
    return result as T;
  }

  it('the installed SELECT policies are the ones of migration 113 (per-row probes), not 103 verbatim', async () => {
    const quals = await db.pool.any(sql.unsafe`
      SELECT tablename, qual FROM pg_policies
      WHERE tablename IN ('revenue_opportunities', 'revenue_actions') AND cmd = 'SELECT' ORDER BY tablename`);
    expect(quals).toHaveLength(2);
    for (const { qual } of quals as unknown as Array<{ qual: string }>) expect(qual).toMatch(/EXISTS[\s\S]*OFFSET 0/);
  });

  it('every principal sees exactly what 103 admits, under 113 and under 103 itself', async () => {
    const under113 = await inRolledBackTransaction(async (tx) => {
      const out: Visible[] = [];
      for (const p of principals) out.push(await visibleAs(tx, p.claims));
      return out;
    });
    const under103 = await inRolledBackTransaction(async (tx) => {
      await install103(tx);
      const out: Visible[] = [];
      for (const p of principals) out.push(await visibleAs(tx, p.claims));
      return out;
    });
    for (const [i, p] of principals.entries()) {
      const expected = await admittedBy103(p.userId);
      expect([p.name, under113[i]!.all]).toEqual([p.name, expected]);
      expect([p.name, under113[i]]).toEqual([p.name, under103[i]]);
    }
    // The fixture exercises both sides: some principals see rows, some see none, the big one many.
    const counts = principals.map((p, i) => [p.name, under113[i]!.all.revenue_opportunities.length]);
    expect(counts).toEqual([
      ['owner', 2],
      ['admin', 2],
      ['member', 0],
      ["other org's owner", 2],
      ['member of one org, admin of another', 2],
      [`owner/admin of ${BIG_ORGS.toLocaleString('en-US')} orgs`, 2 + 2 * Math.floor((BIG_ORGS - 1) / 250)],
      ['user with no memberships', 0],
      ['anon claims', 0],
      ['no claims', 0],
    ]);
  });

  it('role anon reads nothing under either version: it has no privilege on the read models at all', async () => {
    for (const with103 of [false, true]) {
      const codes = await inRolledBackTransaction(async (tx) => {
        if (with103) await install103(tx);
        const out: string[] = [];
        for (const table of ['revenue_opportunities', 'revenue_actions']) {
          await tx.query(sql.unsafe`SAVEPOINT probe`);
          await tx.query(sql.unsafe`SET LOCAL ROLE anon`);
          const code = await tx
            .query(sql.unsafe`SELECT id FROM ${sql.identifier([table])}`)
            .then(() => 'read')
            .catch((error: { cause?: { code?: string }; code?: string }) => error.cause?.code ?? error.code ?? String(error));
          await tx.query(sql.unsafe`ROLLBACK TO SAVEPOINT probe`);
          out.push(code);
        }
        return out;
      });
      expect([with103, codes]).toEqual([with103, ['42501', '42501']]);
    }
  });

  it("the large principal's reads probe one membership per row instead of hashing all 25,000 (plan shape, not timing)", async () => {
    const plan = await inRolledBackTransaction(async (tx) => {
      await tx.query(sql.unsafe`SELECT set_config('request.jwt.claims', ${JSON.stringify({ sub: big, role: 'authenticated' })}, true)`);
      await tx.query(sql.unsafe`SET LOCAL ROLE authenticated`);
      const lines = await tx.anyFirst(sql.unsafe`
        EXPLAIN (COSTS OFF) SELECT id FROM revenue_opportunities WHERE org_id = ${orgs.a} ORDER BY confidence DESC, id DESC LIMIT 51`);
      return (lines as string[]).join('\n');
    });
    expect(plan).not.toMatch(/hashed SubPlan/);
    // A correlated probe: the membership scan is keyed on the row's org, once per row.
    expect(plan).toMatch(
      /Index (?:Only )?Scan using \w+ on user_organizations m\n\s+Index Cond: \([^\n]*org_id = revenue_opportunities\.org_id\)/,
    );
  });
});

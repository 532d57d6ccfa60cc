import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from './pool.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it('creates the platform baseline and the specification tables with RLS enabled', async () => {
    const rows = await db.pool.any(
      sql.unsafe`SELECT relname, relrowsecurity FROM pg_class WHERE relname IN ('organizations','user_organizations','token_usage','token_wallets','revenue_opportunities','revenue_actions') ORDER BY relname`,
    );
    expect(rows.map((r) => r.relname)).toEqual([
      'organizations',
      'revenue_actions',
      'revenue_opportunities',
      'token_usage',
      'token_wallets',
      'user_organizations',
    ]);
    expect(rows.filter((r) => r.relrowsecurity).map((r) => r.relname)).toEqual([
      'revenue_actions',
      'revenue_opportunities',
      'user_organizations',
    ]);
  });

  it('keeps the spec constraints: an unknown opportunity type is refused', async () => {
    const org = await db.pool.oneFirst(sql.unsafe`INSERT INTO organizations (name) VALUES ('acme') RETURNING id`);
    await expect(
      db.pool.query(sql.unsafe`INSERT INTO revenue_opportunities (org_id, type, source) VALUES (${org as string}, 'bogus', 'x')`),
    ).rejects.toMatchObject({ constraint: 'revenue_opportunities_type_check' });
  });

  it('auth.uid() reads the sub claim of the request JWT claims', async () => {
    const uid = await db.pool.transaction(async (tx) => {
      await tx.query(
        sql.unsafe`SELECT set_config('request.jwt.claims', ${JSON.stringify({ sub: '6f1c7c55-8a6c-4b43-9d0e-0a4b0f6a8c11' })}, true)`,
      );
      return tx.oneFirst(sql.unsafe`SELECT auth.uid()`);
    });
    expect(uid).toBe('6f1c7c55-8a6c-4b43-9d0e-0a4b0f6a8c11');
  });
});

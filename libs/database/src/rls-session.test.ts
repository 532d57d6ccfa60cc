import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDatabasePool, sql, type DatabasePool } from './pool.js';
import { RlsClaimsError, withRlsSession } from './rls-session.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const user = (sub: string) => ({ sub, role: 'authenticated' as const });

describe('withRlsSession', () => {
  let db: TestDatabase;
  const owner = randomUUID();
  const admin = randomUUID();
  const member = randomUUID();
  const otherOwner = randomUUID();
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    orgA = (await db.pool.oneFirst(sql.unsafe`INSERT INTO organizations (name) VALUES ('a') RETURNING id`)) as string;
    orgB = (await db.pool.oneFirst(sql.unsafe`INSERT INTO organizations (name) VALUES ('b') RETURNING id`)) as string;
    await db.pool.query(sql.unsafe`
      INSERT INTO user_organizations (user_id, org_id, role) VALUES
        (${owner}, ${orgA}, 'owner'), (${admin}, ${orgA}, 'admin'), (${member}, ${orgA}, 'member'),
        (${otherOwner}, ${orgB}, 'owner')`);
    const [oppA1, , oppB] = await db.pool.manyFirst(sql.unsafe`
      INSERT INTO revenue_opportunities (org_id, type, source, confidence) VALUES
        (${orgA}, 'upsell', 'usage_analysis', 0.85), (${orgA}, 'cross_sell', 'usage_analysis', 0.7),
        (${orgB}, 'upsell', 'usage_analysis', 0.9)
      RETURNING id`);
    await db.pool.query(sql.unsafe`
      INSERT INTO revenue_actions (opportunity_id, action_type, result) VALUES
        (${oppA1 as string}, 'offer_upgrade', 'pending'), (${oppB as string}, 'offer_upgrade', 'pending')`);
  });
  afterAll(async () => db.drop());

  // No WHERE clause on purpose: only the policies stand between the caller and other orgs' rows.
  const visibleOrgs = (sub: string, table: 'revenue_opportunities' | 'revenue_actions') =>
    withRlsSession(db.pool, user(sub), (tx) =>
      table === 'revenue_opportunities'
        ? tx.anyFirst(sql.unsafe`SELECT org_id FROM revenue_opportunities ORDER BY org_id`)
        : tx.anyFirst(sql.unsafe`SELECT o.org_id FROM revenue_actions a JOIN revenue_opportunities o ON o.id = a.opportunity_id`),
    );

  it('shows an owner and an admin only the rows of their own org', async () => {
    expect(await visibleOrgs(owner, 'revenue_opportunities')).toEqual([orgA, orgA]);
    expect(await visibleOrgs(admin, 'revenue_opportunities')).toEqual([orgA, orgA]);
    expect(await visibleOrgs(owner, 'revenue_actions')).toEqual([orgA]);
  });

  it('shows a plain member nothing, and another org owner nothing of this org', async () => {
    expect(await visibleOrgs(member, 'revenue_opportunities')).toEqual([]);
    expect(await visibleOrgs(member, 'revenue_actions')).toEqual([]);
    expect(await visibleOrgs(otherOwner, 'revenue_opportunities')).toEqual([orgB]);
    expect(await visibleOrgs(randomUUID(), 'revenue_opportunities')).toEqual([]);
  });

  it('runs as role authenticated, which cannot write the read models', async () => {
    await expect(
      withRlsSession(db.pool, user(owner), (tx) =>
        tx.query(sql.unsafe`INSERT INTO revenue_opportunities (org_id, type, source) VALUES (${orgA}, 'upsell', 'x')`),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it('leaves no role or claims behind on the pooled connection', async () => {
    const single: DatabasePool = await createDatabasePool(db.url, { maximumPoolSize: 1 });
    try {
      const inside = await withRlsSession(single, user(owner), (tx) => tx.one(sql.unsafe`SELECT current_user AS role, auth.uid() AS uid`));
      expect(inside).toEqual({ role: 'authenticated', uid: owner });
      const after = await single.one(sql.unsafe`SELECT current_user AS role, auth.uid() AS uid`);
      expect(after.role).not.toBe('authenticated');
      expect(after.uid).toBeNull();
      // After a failing callback too (rollback path).
      await expect(withRlsSession(single, user(owner), () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect((await single.one(sql.unsafe`SELECT current_user AS role`)).role).not.toBe('authenticated');
    } finally {
      await single.end();
    }
  });

  it('refuses claims without a uuid subject or with another role, before touching the database', async () => {
    await expect(withRlsSession(db.pool, { sub: 'maos', role: 'authenticated' }, async () => 1)).rejects.toBeInstanceOf(RlsClaimsError);
    await expect(withRlsSession(db.pool, { sub: owner, role: 'service_role' } as never, async () => 1)).rejects.toThrow(
      /role 'authenticated'/,
    );
  });
});

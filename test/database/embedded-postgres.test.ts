import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { acquirePostgres, createDatabasePool, migrate, projectRoot, sql, type PostgresServer } from '#database';

// The zero-setup path: no DATABASE_URL, so a real PostgreSQL is started from the npm package.
describe('embedded PostgreSQL (no DATABASE_URL)', () => {
  let server: PostgresServer;
  const dataDir = join(projectRoot(), '.data', `embedded-test-${randomBytes(4).toString('hex')}`);
  beforeAll(async () => {
    server = await acquirePostgres(undefined, { dataDir, persistent: false });
  }, 300_000);
  afterAll(async () => server?.stop());

  it('starts a real server on a free port, applies the migrations and answers queries', async () => {
    expect(server.embedded).toBe(true);
    expect(new URL(server.url).port).not.toBe('5432');
    const applied = await migrate(server.url);
    expect(applied).toContain('103_autonomous_revenue_engine');
    const pool = await createDatabasePool(server.url);
    try {
      const version = await pool.oneFirst(sql.unsafe`SELECT current_setting('server_version_num')::int`);
      expect(Number(version)).toBeGreaterThanOrEqual(150000);
      expect(await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM revenue_opportunities`)).toBe(0);
    } finally {
      await pool.end();
    }
  }, 300_000);

  it('a second process on the same data directory shares the running server instead of starting another', async () => {
    const second = await acquirePostgres(undefined, { dataDir, persistent: false });
    expect(second.url).toBe(server.url);
    await second.stop(); // a no-op for the sharer: the owner's server keeps answering
    const pool = await createDatabasePool(server.url);
    try {
      expect(await pool.oneFirst(sql.unsafe`SELECT 1`)).toBe(1);
    } finally {
      await pool.end();
    }
  }, 180_000);
});

import { randomBytes } from 'node:crypto';
import { createDatabase, dropDatabase } from './databases.js';
import { createDatabasePool, type DatabasePool } from './pool.js';

/**
 * Test isolation: the global setup migrates one template database per run; each test file
 * gets its own copy (CREATE DATABASE ... TEMPLATE), so files run in parallel and repeatably.
 */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  readonly pool: DatabasePool;
  drop(): Promise<void>;
}

export function testServerUrl(): string {
  const url = process.env.RE_TEST_SERVER_URL;
  if (!url) throw new Error('RE_TEST_SERVER_URL is not set: run the tests through `npm test` (jest global setup)');
  return url;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env.RE_TEST_TEMPLATE;
  if (!template) throw new Error('RE_TEST_TEMPLATE is not set: run the tests through `npm test` (jest global setup)');
  const serverUrl = testServerUrl();
  const name = `re_test_${randomBytes(6).toString('hex')}`;
  const url = await createDatabase(serverUrl, name, template);
  const pool = await createDatabasePool(url, { maximumPoolSize: 8 });
  return {
    url,
    name,
    pool,
    drop: async () => {
      await pool.end();
      await dropDatabase(serverUrl, name);
    },
  };
}

import './ts-resolve.cjs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { acquirePostgres, createDatabase, migrate, projectRoot } from '#database';

/**
 * Starts (or finds) the PostgreSQL server for the whole run and migrates a template database
 * that every test file copies. TEST_DATABASE_URL / DATABASE_URL: an existing server (its
 * user needs CREATEDB); unset: an embedded PostgreSQL under .data/, removed afterwards.
 */
export default async function globalSetup(): Promise<void> {
  const external = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const server = await acquirePostgres(external, {
    dataDir: join(projectRoot(), '.data', `test-postgres-${process.pid}`),
    persistent: false,
  });
  const template = `re_template_${randomBytes(4).toString('hex')}`;
  const templateUrl = await createDatabase(server.url, template);
  await migrate(templateUrl);
  process.env.RE_TEST_SERVER_URL = server.url;
  process.env.RE_TEST_TEMPLATE = template;
  process.stdout.write(`\n[tests] PostgreSQL: ${server.embedded ? 'embedded' : 'external'}; template ${template}\n`);
  (globalThis as Record<string, unknown>).__RE_TEST_SERVER__ = server;
}

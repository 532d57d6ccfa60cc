import { join } from 'node:path';
import { runner } from 'node-pg-migrate';
import { projectRoot } from './project-root.js';

/**
 * Applies the numbered SQL files in migrations/ with node-pg-migrate: it records applied
 * files in `pgmigrations`, takes an advisory lock so concurrent starts do not race, and runs
 * each file in its own transaction.
 */
export async function migrate(databaseUrl: string, log: (line: string) => void = () => undefined): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: join(projectRoot(), 'migrations'),
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    // A second process starting during a migration waits for it, then finds nothing left to apply.
    advisoryLockMode: 'wait',
    log,
    logger: { debug: () => undefined, info: log, warn: log, error: log },
  });
  return applied.map((m) => m.name);
}

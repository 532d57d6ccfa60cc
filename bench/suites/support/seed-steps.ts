import { performance } from 'node:perf_hooks';
import type pg from 'pg';

/**
 * A seeding session for a bench database: generous maintenance memory for index builds, no
 * waiting on commit flushes (the data is disposable), and `step`, which runs one statement and
 * logs how long it took.
 */
export async function seedingSession(client: pg.Client, log: (line: string) => void) {
  await client.query(`SET maintenance_work_mem = '512MB'`);
  await client.query(`SET synchronous_commit = off`);
  return async (what: string, text: string, values: unknown[] = []): Promise<void> => {
    const started = performance.now();
    await client.query(text, values);
    log(`seed: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  };
}

import { featureModules } from '#api';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bootstrap } from '#api';
import { loadConfig } from '#api';
import { projectRoot } from '#database';
import { createLogger } from '#observability';
import pg from 'pg';
import { createTestDatabase, testServerUrl, type TestDatabase } from '#database/testing';

/** Runs apps/api/src/main.ts in a child process (tsx) with exactly `env`, and collects how it ended. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const root = projectRoot();
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'apps/api/src/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('main', () => {
  it('exits 78 with every bad variable named, before touching anything, on invalid config', async () => {
    const { code, stderr } = await runMain({ PORT: 'eighty', JWT_SECRET: 'hunter2-short', BODY_LIMIT: '1gb' });
    expect(code).toBe(78);
    expect(stderr).toMatch(/Invalid configuration/);
    expect(stderr).toMatch(/PORT: expected a port number/);
    expect(stderr).toMatch(/JWT_SECRET: must be at least 32 characters/);
    expect(stderr).toMatch(/BODY_LIMIT/);
    expect(stderr).not.toContain('hunter2');
  });

  it('exits 1 with a message when the database cannot be reached', async () => {
    const { code, stderr } = await runMain({ JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/failed to start/);
  });
});

describe('bootstrap', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  /** Sessions open on the test database, seen from the server's maintenance database. */
  async function sessionsOn(name: string): Promise<number> {
    const client = new pg.Client({ connectionString: testServerUrl() });
    await client.connect();
    try {
      const result = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      return result.rows[0].n as number;
    } finally {
      await client.end();
    }
  }

  it('migrates, serves, and on close releases every database session it opened', async () => {
    const before = await sessionsOn(db.name);
    const lines: string[] = [];
    const logger = createLogger({
      destination: new Writable({ write: (chunk: Buffer, _e, done) => done(void lines.push(chunk.toString('utf8'))) }),
    });
    const { app, url, config } = await bootstrap(loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, HOST: '127.0.0.1', PORT: '0' }), {
      logger,
      modules: featureModules,
    });
    try {
      expect(config.DATABASE_URL).toBe(db.url);
      const ready = await fetch(`${url.replace('[::1]', '127.0.0.1')}/health/ready`);
      expect(ready.status).toBe(200);
      // The full app: event store and projections report in readiness, the revenue routes are mounted.
      expect(JSON.stringify(await ready.json())).toMatch(/event_store[\s\S]*projections|projections[\s\S]*event_store/);
      expect((await fetch(`${url.replace('[::1]', '127.0.0.1')}/api/revenue/opportunities`)).status).toBe(401);
      expect(await sessionsOn(db.name)).toBeGreaterThan(before);
    } finally {
      await app.close();
    }
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
    expect(await sessionsOn(db.name)).toBe(before);
    // One line says what runs where (issue "Start, stop and operate": one log line at start).
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(expect.arrayContaining(['revenue-engine api started']));
  });
});

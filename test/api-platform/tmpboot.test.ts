import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bootstrap } from '../../apps/api/src/bootstrap.js';
import { loadConfig } from '../../apps/api/src/config.js';
import { projectRoot } from '../../libs/database/src/index.js';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing.js';

/** Runs apps/api/src/main.ts in a child process (tsx) with exactly `env`, and collects how it ended. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const root = projectRoot();
  const child = spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'apps/api/src/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('bootstrap', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('migrates, serves and closes over DATABASE_URL', async () => {
    const { app, url, config } = await bootstrap(loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' }));
    try {
      expect(config.DATABASE_URL).toBe(db.url);
      const ready = await fetch(`${url.replace('[::1]', '127.0.0.1')}/health/ready`);
      expect(ready.status).toBe(200);
    } finally {
      await app.close();
    }
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });
});

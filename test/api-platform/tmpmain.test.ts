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


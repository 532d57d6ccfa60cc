import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { projectRoot } from '#database';
import { runCli } from './support/run-cli.js';

/**
 * `npx revenue-engine` runs package.json "bin". Its file runs the built CLI, compiling first only
 * when a source changed since the last build, so this test may build dist (about 10-20 s).
 */
describe('package.json "bin" (revenue-engine)', () => {
  const bin = (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin[
    'revenue-engine'
  ];

  it('is an executable node script that runs the built CLI, exit codes included', async () => {
    expect(bin).toBeDefined();
    expect(readFileSync(join(projectRoot(), bin!), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    const version = await runCli(['--version'], {}, { bin: bin! });
    expect(version.code).toBe(0);
    expect(version.stdout).toBe('0.1.0\n');
    const [help, usage] = await Promise.all([
      runCli(['token', '--help'], {}, { bin: bin! }),
      runCli(['demo-data', '--orgs', 'abc'], {}, { bin: bin! }),
    ]);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: revenue-engine token/) });
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toMatch(/^error: option '--orgs <n>' argument 'abc' is invalid/);
  }, 180_000);
});

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot } from '#database';

/**
 * The README's "Try it", run as a reader would: `npm start` on an empty database, then every `$`
 * line of the walk in bash, each output compared with the one the README shows (`…` stands for
 * what differs between runs; runs of spaces compare as one). The only values substituted are
 * those the README says to copy (`# copy: ...`), taken from the output the same way a reader
 * would. Test plumbing a reader does not see: a free port (PORT=0; the README's $API comes from
 * the printed export lines) and a data folder of its own (REVENUE_ENGINE_DATA_DIR), so a
 * developer's demo data is never touched.
 */
const root = projectRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const tryIt = readme.slice(readme.indexOf('## Try it'), readme.indexOf('\n## ', readme.indexOf('## Try it') + 1));
const blocks = [...tryIt.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));

interface Step {
  readonly command: string;
  readonly expected: string;
}

/** `$ command` lines, each followed by the output it printed (up to the next `$` line or `# ` comment). */
function stepsOf(body: string): Step[] {
  const steps: Array<{ command: string; output: string[] }> = [];
  for (const line of body.split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: [] });
    else if (line.startsWith('# ')) continue;
    else steps.at(-1)?.output.push(line);
  }
  return steps.map((s) => ({ command: s.command, expected: s.output.join('\n').trimEnd() }));
}

const normalize = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .join('\n')
    .trim();

/** The README's sample with `…` as "anything", as an anchored pattern. */
function matcher(expected: string): RegExp {
  const pattern = normalize(expected)
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*?');
  return new RegExp(`^${pattern}$`);
}

/** `# copy: the first "key" above` / `the "key" above`: that JSON member of the previous output. */
function copied(comment: string, previous: string): string {
  const key = /the (?:first )?"([A-Za-z]+)" above/.exec(comment)?.[1];
  if (!key) throw new Error(`the README asks to copy something this test cannot find: ${comment}`);
  const value = new RegExp(`"${key}":(?:"([^"]*)"|([^,}\\]]+))`).exec(previous);
  if (!value) throw new Error(`no "${key}" in the previous output: ${previous.slice(0, 300)}`);
  return value[1] ?? value[2]!;
}

describe("README 'Try it'", () => {
  let service: ChildProcess | undefined;
  let started = '';
  let work = '';
  const env: Record<string, string> = {};

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'try-it-'));
    chmodSync(work, 0o711); // as root the server runs as `postgres`, which must reach the data folder
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
    for (const name of ['NODE_ENV', 'DATABASE_URL', 'TEST_DATABASE_URL', 'EVENTSTORE_URL', 'JWT_SECRET', 'PORT']) delete env[name];
    Object.assign(env, { PORT: '0', REVENUE_ENGINE_DATA_DIR: join(work, 'data'), NO_COLOR: '1' });
    service = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    service.stderr!.on('data', (chunk: Buffer) => (started += chunk.toString('utf8')));
    const deadline = Date.now() + 240_000;
    while (!started.includes('More steps: README') && Date.now() < deadline && service.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (!started.includes('More steps: README')) throw new Error(`npm start did not print its banner:\n${started}`);
  }, 500_000); // bounds on a hang: a loaded 2-core machine ran the suite 2.5x slower than usual

  afterAll(async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service!.once('exit', resolve));
      service.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (service.exitCode === null) service.kill('SIGKILL');
    }
    if (work) rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('starts with the two commands it shows', () => {
    expect(blocks[0]).toEqual({ lang: 'sh', body: 'npm ci\nnpm start\n' });
  });

  it('npm start prints what the README shows, tokens included', () => {
    const banner = started.slice(started.indexOf('Revenue Engine is ready'));
    const sample = blocks[1]!.body
      .replace(/(export (?:TOKEN|MAOS)=)\S+/g, '$1…')
      .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '…')
      .replace(/localhost:3000/g, 'localhost:…')
      .replace(/embedded PostgreSQL in \S+/, 'embedded PostgreSQL in …');
    expect(normalize(banner.slice(0, banner.indexOf('\n  curl')))).toMatch(matcher(sample));
  });

  it('every step prints what the README shows', () => {
    const steps = stepsOf(blocks[2]!.body);
    expect(steps.length).toBeGreaterThan(10);
    let previous = '';
    for (const { command, expected } of steps) {
      const exported = /^export ([A-Z_]+)=(.+?)(?:\s+# copy: (.*))?$/.exec(command.trim());
      if (command.includes('# copy: the export lines npm start printed')) {
        for (const [, name, value] of started.matchAll(/^ {2}export ([A-Z_]+)=(\S+)/gm)) env[name!] = value!;
        continue;
      }
      if (exported?.[3]) {
        env[exported[1]!] = copied(exported[3], previous);
        continue;
      }
      const run = spawnSync('bash', ['-c', exported ? `${command}; printf '%s' "$${exported[1]}"` : command], {
        cwd: root,
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect({ command, status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ command, status: 0, stderr: '' });
      if (exported) {
        env[exported[1]!] = run.stdout;
        continue;
      }
      expect({ command, output: normalize(run.stdout) }).toEqual({ command, output: expect.stringMatching(matcher(expected)) });
      previous = run.stdout;
    }
  }, 400_000);
});

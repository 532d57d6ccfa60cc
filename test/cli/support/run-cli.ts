import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '#database';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A JWT_SECRET for the children (32+ characters, as the CLI and the API require). */
export const TEST_SECRET = 'cli-test-hs256-secret-at-least-32-characters';

/** At most this many CLI processes at once: the machines have two cores. */
const MAX_CHILDREN = 3;
let running = 0;
const waiting: Array<() => void> = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CHILDREN) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Runs the CLI as a real process, from source (tsx, no build needed) or through the package.json
 * "bin" file, with exactly `env` (plus PATH/HOME/TMPDIR), and collects how it ended.
 */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>>, entry: { bin?: string } = {}): Promise<CliRun> {
  const root = projectRoot();
  const argv = entry.bin
    ? [join(root, entry.bin), ...args]
    : ['--conditions=source', '--import', 'tsx', join(root, 'apps/cli/src/main.ts'), ...args];
  const base = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  return slot(
    () =>
      new Promise<CliRun>((resolve, reject) => {
        const child = spawn(process.execPath, argv, { cwd: root, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      }),
  );
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '#database';

const CHILD = fileURLToPath(new URL('./embedded-child.ts', import.meta.url));

/** A TypeScript child process (`node --conditions=source --import tsx`) that answers in JSON lines. */
export interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  /** The next JSON line on stdout. */
  next<T = Record<string, unknown>>(timeoutMs?: number): Promise<T>;
  send(line: string): void;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  readonly stderr: () => string;
}

export function startChild(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, ...args], {
    cwd: projectRoot(),
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    process: child,
    send: (line) => child.stdin.write(`${line}\n`),
    exited,
    stderr: () => stderr,
    next: <T>(timeoutMs = 30_000) =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no output from the child within ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
        const take = (line: string) => {
          clearTimeout(timer);
          resolve(JSON.parse(line) as T);
        };
        const early = lines.shift();
        if (early !== undefined) take(early);
        else {
          waiting.push(take);
          void exited.then((code) => reject(new Error(`child exited (${code}) without output; stderr:\n${stderr}`)));
        }
      }),
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { processGone } from '../../database/support/probes.js';

/**
 * The real service as a child process in its own process group (detached), so a test can see
 * and signal every process it started, and kill what is left when something goes wrong.
 */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** The spawned process (npm, or node); also its process group id. */
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** The JSON lines of stdout (the pino log); other lines are skipped. */
  logs(): Record<string, unknown>[];
  /** The first log line with this `msg`. */
  logLine(msg: string | RegExp): Record<string, unknown> | undefined;
  /** Polls `probe` every 50 ms until it returns a value; rejects when the process exits first or the time is up. */
  waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs: number): Promise<T>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** Resolves with how it ended, or null when it is still running after timeoutMs. */
  waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null>;
  /** SIGKILL to the whole process group (cleanup). */
  killGroup(): void;
  /** The last lines of both streams, for failure messages. */
  tail(lines?: number): string;
}

export function startService(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ServiceProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  let ended: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve((ended = { code, signal }))),
  );
  const logs = () =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  const tail = (lines = 40) => {
    const last = (text: string) => text.trim().split('\n').slice(-lines).join('\n');
    return `--- stdout (last ${lines} lines) ---\n${last(out)}\n--- stderr (last ${lines} lines) ---\n${last(err)}`;
  };
  return {
    child,
    pid,
    stdout: () => out,
    stderr: () => err,
    logs,
    logLine: (msg) => logs().find((line) => (typeof msg === 'string' ? line.msg === msg : msg.test(String(line.msg)))),
    exited,
    hasExited: () => ended !== null,
    waitFor: async <T>(what: string, probe: () => T | null | undefined | false, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value !== null && value !== undefined && value !== false) return value;
        if (ended) throw new Error(`${what}: the process exited (${ended.code ?? ended.signal}) first\n${tail()}`);
        if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${tail()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    waitForExit: (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        exited,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
    },
    killGroup: () => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // the group is gone
      }
    },
    tail,
  };
}

/** Live processes (not zombies) in process group `pgid`. */
export function processGroup(pgid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && !processGone(Number(entry))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The command line of a process ('' when it is gone). */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The environment of this test process without what would make a child not "a fresh shell". */
export function freshEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const dropped =
    /^(npm_|NODE_ENV$|NODE_OPTIONS$|INIT_CWD$|DATABASE_URL$|TEST_DATABASE_URL$|BENCH_DATABASE_URL$|EVENTSTORE_URL$|JWT_|PORT$|HOST$|RE_TEST_|REVENUE_ENGINE_|JEST_|DEMO_DATA$|LOG_LEVEL$|SHUTDOWN_TIMEOUT_MS$|RATE_LIMIT$)/i;
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !dropped.test(name)) env[name] = value;
  }
  // `npm test` puts the project's node_modules/.bin first on PATH; a fresh shell has not.
  env.PATH = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin')
    .split(':')
    .filter((dir) => !dir.includes('node_modules'))
    .join(':');
  return { ...env, ...extra };
}

export interface Banner {
  readonly api: string;
  readonly token: string | null;
  readonly maos: string | null;
  readonly org: string | null;
  /** The `demo` line: "300 demo orgs loaded; ..." or "300 organizations". */
  readonly demo: string;
}

/** The welcome banner `npm start` prints on stderr once it serves, when complete. */
export function parseBanner(stderr: string): Banner | null {
  const start = stderr.indexOf('Revenue Engine is ready at');
  if (start < 0) return null;
  const text = stderr.slice(start);
  if (!text.includes('Stop with Ctrl-C')) return null;
  const value = (name: string) => new RegExp(`export ${name}=(\\S+)`).exec(text)?.[1] ?? null;
  const api = value('API');
  const token = value('TOKEN');
  const maos = value('MAOS');
  const demo = /^\s+demo\s+(.+)$/m.exec(text)?.[1];
  if (!api || demo === undefined) return null;
  return { api, token, maos, org: value('ORG'), demo };
}

/** Our HTTP client talks to 127.0.0.1: `localhost` may resolve to ::1 first, where nothing listens. */
export function loopback(url: string): string {
  return url.replace('//localhost:', '//127.0.0.1:');
}

import { readFileSync } from 'node:fs';

/**
 * Process facts read from /proc (Linux; the shipped PostgreSQL binaries are linux-x64 only).
 * Process ids are reused (pid_max is 32768 here), so a pid is always paired with its start
 * time, and a zombie counts as gone: an orphaned server's parent may never reap it.
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); null where /proc is not readable. */
  readonly startTime: string | null;
}

function procStat(pid: number): { state: string; startTime: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const startTime = fields[19];
    return state && startTime ? { state, startTime } : null;
  } catch {
    return null;
  }
}

export function identityOf(pid: number): ProcessIdentity {
  return { pid, startTime: procStat(pid)?.startTime ?? null };
}

export function selfIdentity(): ProcessIdentity {
  return identityOf(process.pid);
}

/** True while the process runs; false when it is gone, a zombie, or its pid now names another process. */
export function isAlive(target: ProcessIdentity | number): boolean {
  const { pid, startTime } = typeof target === 'number' ? { pid: target, startTime: null } : target;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (!stat) return true; // no /proc: trust kill(0)
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === null || stat.startTime === startTime;
}

/** Does the pid exist in any state (running, stopped, zombie)? What PostgreSQL's own lock file check asks. */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process, or null when it cannot be read. */
export function commandLine(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

/** Is `pid` a postmaster serving `dataDir` (we always start it as `postgres -D <dataDir> ...`)? */
export function isPostmasterOf(pid: number, dataDir: string): boolean {
  if (!isAlive(pid)) return false;
  const args = commandLine(pid);
  if (!args) return true; // cannot tell: postmaster.pid and a successful login decide
  const d = args.indexOf('-D');
  return d >= 0 && args[d + 1] === dataDir;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until the process is gone (true) or the timeout passes (false). */
export async function waitForExit(target: ProcessIdentity, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(target)) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

export function signal(target: ProcessIdentity, name: NodeJS.Signals): void {
  if (!isAlive(target)) return;
  try {
    process.kill(target.pid, name);
  } catch {
    // gone in between
  }
}

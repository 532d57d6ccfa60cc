import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Gone: no such pid, or a zombie nobody reaps (an orphan's parent may never wait for it). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '');
  } catch {
    return true;
  }
}

/** Processes whose parent is `pid` (a postmaster's backends and helpers). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Can we bind the port on 127.0.0.1 (nobody listens on it any more)? */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Live postmasters started on `dataDir` (`postgres -D <dataDir> ...`), found through /proc. */
export function postmastersOf(dataDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const d = args.indexOf('-D');
      if (d >= 0 && args[d + 1] === dataDir && !processGone(Number(entry))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

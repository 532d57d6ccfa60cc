import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { isAlive, selfIdentity, sleep, type ProcessIdentity } from './processes.js';

/**
 * A lock file (`<data dir>.lock`, O_EXCL) held while a process decides whether to start,
 * share or adopt a server, and while the owner stops it: the API, the worker and the CLI may
 * start at the same moment. A lock whose holder died (kill -9) is taken over.
 */
export interface FileLock {
  release(): Promise<void>;
}

export async function acquireLock(path: string, timeoutMs: number): Promise<FileLock> {
  const me = JSON.stringify(selfIdentity());
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const handle = await open(path, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return null;
      throw error;
    });
    if (handle) {
      try {
        await handle.writeFile(me);
      } finally {
        await handle.close();
      }
      return { release: () => releaseIfOurs(path, me) };
    }
    if (await takeOverIfStale(path)) continue;
    if (Date.now() > deadline) {
      const holder = await readFile(path, 'utf8').catch(() => '?');
      throw new Error(`embedded PostgreSQL: ${path} is held by ${holder} for more than ${timeoutMs} ms`);
    }
    await sleep(50);
  }
}

async function releaseIfOurs(path: string, me: string): Promise<void> {
  const holder = await readFile(path, 'utf8').catch(() => null);
  if (holder === me) await unlink(path).catch(() => undefined);
}

function holderOf(content: string): ProcessIdentity | null {
  try {
    const parsed = JSON.parse(content) as ProcessIdentity;
    return Number.isInteger(parsed.pid) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * The holder is dead (or wrote nothing and is gone): move the file aside, check it is still the
 * stale one (another process may have taken it over and locked again meanwhile), delete it.
 */
async function takeOverIfStale(path: string): Promise<boolean> {
  const content = await readFile(path, 'utf8').catch(() => null);
  if (content === null) return true; // released meanwhile
  const holder = holderOf(content);
  if (holder ? isAlive(holder) : content === '' && (await youngerThan(path, 5_000))) return false;
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  const moved = await rename(path, aside).then(
    () => true,
    () => false,
  );
  if (!moved) return true; // someone else moved it first
  if ((await readFile(aside, 'utf8').catch(() => null)) === content) {
    await rm(aside, { force: true });
  } else {
    // not the one we judged stale: put it back for its holder
    await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
  }
  return true;
}

async function youngerThan(path: string, ms: number): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs < ms;
}

import { randomBytes } from 'node:crypto';
import { chown, open, readFile, rename, rm } from 'node:fs/promises';
import type { RunAs } from './layout.js';

/**
 * Writes a file readable by its owner only (0600), atomically: a fresh temp file (O_EXCL, so
 * no symlink is followed) renamed over the target. `owner`: hand it to that OS user.
 */
export async function writePrivateFile(path: string, content: string, owner?: RunAs | null): Promise<void> {
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.chmod(0o600); // whatever the umask
    if (owner) await handle.chown(owner.uid, owner.gid);
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function readJson<T>(path: string): Promise<T | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export async function chownIf(path: string, owner: RunAs | null): Promise<void> {
  if (owner) await chown(path, owner.uid, owner.gid);
}

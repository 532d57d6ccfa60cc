import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquirePostgres, type EmbeddedPostgresServer } from '#database';
import { childrenOf, isRoot, portIsFree, postmastersOf, processGone } from '../database/support/probes.js';
import { cloneWorkingTree } from './support/clone.js';
import {
  commandOf,
  freshEnv,
  loopback,
  parseBanner,
  processGroup,
  startService,
  type Banner,
  type ServiceProcess,
} from './support/service.js';

// "Two commands on a fresh machine": a clone of the working tree under a private (mode 700)
// folder, `npm start` with nothing configured, then SIGTERM, a restart, and a kill -9.

// Generous: a bound on a hang, not a speed check (a loaded 2-core machine took 76 s alone and over 120 s beside the suite).
const BANNER_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 30_000;

interface Started {
  readonly service: ServiceProcess;
  readonly banner: Banner;
  readonly api: string;
  readonly apiPort: number;
  readonly nodePid: number;
  readonly postgres: { readonly pid: number; readonly port: number; readonly origin: string; readonly dataDir: string };
  readonly seconds: number;
}

interface Readiness {
  readonly head: string;
}

describe('npm start in a private clone, as on a fresh machine', () => {
  const services: ServiceProcess[] = [];
  const timings: string[] = [];
  let home = '';
  let clone = '';
  let location = '';
  let otherLocation = '';
  let dataDir = '';
  let env: NodeJS.ProcessEnv = {};
  // what the first start saw, compared by the later ones
  let first: Started | undefined;
  let firstHead = '';
  let firstOpportunities: string[] = [];

  beforeAll(async () => {
    ({ home, clone } = await cloneWorkingTree('re-start-'));
    const suffix = randomBytes(6).toString('hex');
    // As root the server runs as `postgres`, which must reach the data: /var/lib/revenue-engine (mode 0711).
    location = isRoot() ? `/var/lib/revenue-engine/re-start-test-${suffix}` : join(home, 'data');
    otherLocation = isRoot() ? `/var/lib/revenue-engine/re-start-test-${suffix}-other` : join(home, 'other-data');
    dataDir = join(location, 'postgres');
    env = freshEnv({ REVENUE_ENGINE_DATA_DIR: location, PORT: '0', HOST: '127.0.0.1' });
  }, 180_000);

  afterAll(async () => {
    for (const service of services) if (!service.hasExited()) service.killGroup();
    for (const pid of [...postmastersOf(dataDir), ...postmastersOf(join(otherLocation, 'postgres'))]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await Promise.all(services.map((service) => service.waitForExit(5_000)));
    for (const dir of [home, location, otherLocation]) if (dir) await rm(dir, { recursive: true, force: true });
    if (timings.length) process.stdout.write(`\n[start-stop] ${timings.join('; ')}\n`);
  }, 120_000);

  async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Waits until /health/ready answers 200 with every projection caught up; the event store's head. */
  async function readyAndCaughtUp(service: ServiceProcess, api: string): Promise<Readiness> {
    let last: unknown;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !service.hasExited()) {
      const { status, body } = await get(`${api}/health/ready`).catch((error: unknown) => ({
        status: 0,
        body: { error: String(error) } as Record<string, unknown>,
      }));
      last = { status, body };
      const info = body.info as { event_store?: { head?: string }; projections?: Record<string, unknown> } | undefined;
      const projections = Object.values(info?.projections ?? {}).filter((p): p is { lagEvents: number } => typeof p === 'object');
      if (status === 200 && info?.event_store?.head && projections.length > 0 && projections.every((p) => p.lagEvents === 0)) {
        return { head: info.event_store.head };
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`not ready and caught up within 30 s: ${JSON.stringify(last)}\n${service.tail()}`);
  }

  async function openOpportunities(started: Started, org: string): Promise<string[]> {
    const { status, body } = await get(`${started.api}/api/revenue/opportunities?status=open&limit=100`, {
      Authorization: `Bearer ${started.banner.token}`,
      'X-Org-Id': org,
    });
    expect(status).toBe(200);
    return ((body.opportunities ?? []) as { id: string }[]).map((o) => o.id).sort();
  }

  async function start(label: string): Promise<Started> {
    const began = Date.now();
    const service = startService('npm', ['start'], { cwd: clone, env });
    services.push(service);
    const banner = await service.waitFor(`${label}: the welcome banner`, () => parseBanner(service.stderr()), BANNER_TIMEOUT_MS);
    const seconds = (Date.now() - began) / 1000;
    timings.push(`${label}: banner after ${seconds.toFixed(1)} s`);
    const line = service.logLine('revenue-engine api started');
    expect(line).toBeDefined();
    const postgres = line!.postgres as Started['postgres'] & { embedded: boolean };
    expect(postgres).toMatchObject({ embedded: true, dataDir });
    // npm runs `sh -c "exec node dist/apps/api/src/main.js"`: the node process is npm's child.
    const nodePids = childrenOf(service.pid).filter((pid) => commandOf(pid).includes('dist/apps/api/src/main.js'));
    expect(nodePids).toHaveLength(1);
    const api = loopback(banner.api);
    return { service, banner, api, apiPort: Number(new URL(api).port), nodePid: nodePids[0]!, postgres, seconds };
  }

  /** The pids a stop must end: npm, node, the postmaster and its children (backends, checkpointer, ...). */
  function processesOf(started: Started): number[] {
    const helpers = childrenOf(started.postgres.pid);
    expect(helpers.length).toBeGreaterThan(0);
    return [started.service.pid, started.nodePid, started.postgres.pid, ...helpers];
  }

  async function expectAllGone(pids: number[], pgid: number, ports: number[]): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (pids.some((pid) => !processGone(pid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pids.filter((pid) => !processGone(pid)).map((pid) => `${pid} ${commandOf(pid)}`)).toEqual([]);
    expect(processGroup(pgid)).toEqual([]);
    expect(postmastersOf(dataDir)).toEqual([]);
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
  }

  async function stopWithSigterm(started: Started, extraPids: number[] = []): Promise<void> {
    const pids = [...processesOf(started), ...extraPids];
    const began = Date.now();
    process.kill(started.service.pid, 'SIGTERM');
    const ended = await started.service.waitForExit(STOP_TIMEOUT_MS);
    timings.push(`SIGTERM to exit ${((Date.now() - began) / 1000).toFixed(1)} s`);
    expect(ended).toEqual({ code: 0, signal: null });
    expect(started.service.logLine('revenue-engine api stopping')).toMatchObject({ signal: 'SIGTERM' });
    expect(started.service.logLine('revenue-engine api stopped')).toMatchObject({ signal: 'SIGTERM' });
    expect(started.service.stderr()).not.toMatch(/did not stop cleanly|failed to start/);
    await expectAllGone(pids, started.service.pid, [started.apiPort, started.postgres.port]);
    expect(existsSync(`${dataDir}-owner.json`)).toBe(false);
  }

  it(
    'first start: banner, ready, demo data usable with the printed tokens, nothing in the temp folder, a private secret',
    async () => {
      const tmpBefore = new Set(readdirSync(tmpdir()));
      // another data directory, started through the library meanwhile: its secret must differ
      const other: Promise<EmbeddedPostgresServer> = acquirePostgres(undefined, { baseDir: otherLocation, persistent: false }).then(
        (server) => server as EmbeddedPostgresServer,
      );
      other.catch(() => undefined);

      first = await start('first start');
      const { service, banner, api } = first;
      expect(first.postgres.origin).toBe('started');
      expect(banner.demo).toMatch(/^\d+ demo orgs loaded; first scheduled sweep: /);
      expect(service.logLine('demo data loaded')).toBeDefined();
      expect(service.logLine(/^initialised /)).toBeDefined();
      expect(banner.org).toMatch(/^[0-9a-f-]{36}$/);
      expect(banner.api).toMatch(/^http:\/\/localhost:\d+$/);

      const ready = await readyAndCaughtUp(service, api);
      firstHead = ready.head;
      expect((await get(`${api}/health/ready`)).status).toBe(200);

      // the printed dashboard address serves the page (built by npm start's build), opening on Demo org 1
      const dashboardUrl = /^\s+dashboard\s+(\S+)/m.exec(service.stderr())?.[1];
      expect(dashboardUrl).toBe(`${banner.api}/dashboard/#org=${banner.org}`);
      const page = await fetch(loopback(dashboardUrl!), { signal: AbortSignal.timeout(10_000) });
      expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      expect(await page.text()).toContain('<div id="root">');

      // the printed TOKEN and ORG: the demo org's open opportunities
      firstOpportunities = await openOpportunities(first, banner.org!);
      expect(firstOpportunities.length).toBeGreaterThanOrEqual(1);
      // the printed MAOS token: actions waiting for approval
      const approvals = await get(`${api}/api/maos/approvals?limit=5`, { Authorization: `Bearer ${banner.maos}` });
      expect(approvals.status).toBe(200);
      expect((approvals.body.items as unknown[]).length).toBeGreaterThanOrEqual(1);

      // nothing of PostgreSQL's in the temp folder (no password file, no Unix socket or lock)
      const created = readdirSync(tmpdir()).filter((name) => !tmpBefore.has(name));
      expect(created.filter((name) => /^(pg|\.s\.PGSQL)/i.test(name))).toEqual([]);
      expect(readdirSync(tmpdir()).filter((name) => name.startsWith('pg-password-'))).toEqual([]);

      // the private folders are as they were; the data lives outside them, readable by its server only
      expect(statSync(home).mode & 0o777).toBe(0o700);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      if (isRoot()) expect(statSync(dataDir).uid).not.toBe(0);
      const secretFile = `${dataDir}-superuser-secret`;
      expect(statSync(secretFile).mode & 0o777).toBe(0o600);
      const secret = readFileSync(secretFile, 'utf8').trim();
      expect(secret.length).toBeGreaterThanOrEqual(40);
      const otherServer = await other;
      try {
        const otherSecretFile = `${otherServer.dataDir}-superuser-secret`;
        expect(statSync(otherSecretFile).mode & 0o777).toBe(0o600);
        expect(readFileSync(otherSecretFile, 'utf8').trim()).not.toBe(secret);
      } finally {
        await otherServer.stop();
      }

      // tokens on the terminal only, never in the JSON log; the superuser secret nowhere
      expect(service.stdout()).not.toContain(banner.token);
      expect(service.stdout()).not.toContain(banner.maos);
      expect(service.stdout()).not.toContain(secret);
      expect(service.stderr()).not.toContain(secret);

      // who is who: the owner record and postmaster.pid name the same server, owned by the node process
      const owner = JSON.parse(readFileSync(`${dataDir}-owner.json`, 'utf8')) as { owner: { pid: number }; postmaster: { pid: number } };
      expect(owner.owner.pid).toBe(first.nodePid);
      expect(owner.postmaster.pid).toBe(first.postgres.pid);
      expect(Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])).toBe(first.postgres.pid);
    },
    BANNER_TIMEOUT_MS + 60_000,
  );

  it(
    'SIGTERM to npm: clean exit, every process it started is gone, the ports are free',
    async () => {
      expect(first).toBeDefined();
      await stopWithSigterm(first!);
    },
    STOP_TIMEOUT_MS + 15_000,
  );

  it(
    'second start on the same data: no demo reload, the same org and the same data',
    async () => {
      expect(first).toBeDefined();
      const second = await start('second start');
      expect(second.postgres.origin).toBe('started');
      expect(second.banner.org).toBe(first!.banner.org);
      expect(second.banner.demo).toMatch(/^\d+ organizations$/);
      expect(second.banner.demo).not.toMatch(/demo orgs loaded/);
      expect(second.service.logLine('demo data loaded')).toBeUndefined();
      expect(second.service.logLine(/^initialised /)).toBeUndefined();
      expect((await readyAndCaughtUp(second.service, second.api)).head).toBe(firstHead);
      expect(await openOpportunities(second, second.banner.org!)).toEqual(firstOpportunities);

      // kill -9 the node process (not npm): its PostgreSQL is orphaned, still running
      const orphan = second.postgres.pid;
      const helpers = childrenOf(orphan);
      process.kill(second.nodePid, 'SIGKILL');
      expect(await second.service.waitForExit(STOP_TIMEOUT_MS)).not.toBeNull();
      expect(processGone(second.nodePid)).toBe(true);
      expect(processGone(orphan)).toBe(false);
      expect(existsSync(`${dataDir}-owner.json`)).toBe(true);

      // the next start takes it over (adopted) or replaces it (restarted), and says so
      const third = await start('start after kill -9');
      expect(['adopted', 'restarted']).toContain(third.postgres.origin);
      timings.push(`after kill -9 the server was ${third.postgres.origin}`);
      const said = third.service.logLine(/adopted the orphaned server|does not answer: stopping it/);
      expect(said).toMatchObject({ component: 'embedded-postgres' });
      if (third.postgres.origin === 'adopted') expect(third.postgres.pid).toBe(orphan);
      expect(third.banner.org).toBe(first!.banner.org);
      expect(third.banner.demo).toMatch(/^\d+ organizations$/);
      expect((await readyAndCaughtUp(third.service, third.api)).head).toBe(firstHead);
      expect(await openOpportunities(third, third.banner.org!)).toEqual(firstOpportunities);
      const owner = JSON.parse(readFileSync(`${dataDir}-owner.json`, 'utf8')) as { owner: { pid: number } };
      expect(owner.owner.pid).toBe(third.nodePid);

      // and SIGTERM leaves nothing behind: neither the adopted (or new) server nor the orphan
      await stopWithSigterm(third, [orphan, ...helpers, second.service.pid]);
    },
    2 * BANNER_TIMEOUT_MS + 2 * STOP_TIMEOUT_MS,
  );
});

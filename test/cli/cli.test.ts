import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jwtVerify } from 'jose';
import { sql } from '#database';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { runCli, TEST_SECRET, type CliRun } from './support/run-cli.js';

const USAGE_HINT = /^\(run 'revenue-engine( [a-z-]+)* --help' for usage\)$/;

/** A usage error: one message line, then the hint naming the command's --help; nothing on stdout. */
function expectUsageError(run: CliRun, message: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(USAGE_HINT);
}

const json = <T>(run: CliRun): T => {
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as T;
};

describe('revenue-engine CLI (real processes, exit codes)', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.url, JWT_SECRET: TEST_SECRET, NODE_ENV: 'test' };
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('answers --help for every command, and --version, with exit 0', async () => {
    const commands = [
      [],
      ['demo-data'],
      ['analyze'],
      ['sweep'],
      ['projections'],
      ['projections', 'status'],
      ['projections', 'rebuild'],
      ['projections', 'parked'],
      ['projections', 'resume'],
      ['audit'],
      ['token'],
      ['erase-org'],
      ['migrate'],
    ];
    const runs = await Promise.all(commands.map((c) => cli(...c, '--help')));
    runs.forEach((run, i) => {
      expect({ command: commands[i], code: run.code, stderr: run.stderr }).toEqual({ command: commands[i], code: 0, stderr: '' });
      expect(run.stdout).toMatch(new RegExp(`^Usage: revenue-engine ${commands[i]!.join(' ')}`));
    });
    expect(runs[0]!.stdout).toMatch(/Exit codes: 0 ok, 1 failed at run time, 2 bad command line, 78 invalid configuration/);
    const version = await cli('--version');
    expect(version).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('rejects bad command lines with one line and a hint to --help on stderr, exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['sweep', '--bogus'], /unknown option '--bogus'/],
      [['audit'], /missing required argument 'orgId'/],
      [['projections', 'rebuild'], /missing required argument 'name'/],
      [['projections', 'frob'], /unknown command 'frob'/],
      [['demo-data', '--orgs', 'abc'], /'--orgs <n>' argument 'abc' is invalid/],
      [['demo-data', '--orgs', '0'], /expected a whole number from 1 to 1,000,000/],
      [['demo-data', '--days'], /'--days <d>' argument missing/],
      [['analyze'], /give --org <id> or --all/],
      [['analyze', '--org', 'not-a-uuid'], /--org must be an organization id \(a UUID\)/],
      [['analyze', '--org', randomUUID(), '--all'], /cannot be used with option '--all'/],
      [['audit', 'abc'], /<orgId> must be an organization id/],
      [['audit', randomUUID(), '--as-of', 'yesterday'], /--as-of must be an ISO 8601 date/],
      [['audit', randomUUID(), '--opportunity', '42'], /--opportunity must be an opportunity id/],
      [
        ['projections', 'parked', 'nope'],
        /unknown projection 'nope' \(known: revenue-read-model, credit-ledger, action-outbox, scheduler-runs, revenue-daily\)/,
      ],
      [['token'], /give --sub <user id> .* or --service <name>/],
      [['token', '--sub', 'bob'], /--sub must be a user id/],
      [['token', '--service', 'maos'], /needs --scope/],
      [['token', '--service', 'maos', '--scope', 'maos:read root'], /unknown scope 'root'/],
      [['token', '--sub', randomUUID(), '--expires-in', 'forever'], /--expires-in must be a duration/],
      [['erase-org', 'abc', '--yes'], /<orgId> must be an organization id/],
      [['erase-org', randomUUID()], /add --yes to confirm/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(...args)));
    runs.forEach((run, i) => expectUsageError(run, cases[i]![1]));
  }, 240_000); // 24 processes at once on 2 cores: over 60 s on a loaded machine

  it('exits 78 naming every bad variable, and 1 with a message when the database is down', async () => {
    const [badUrls, shortSecret, production, down] = await Promise.all([
      runCli(['migrate'], { DATABASE_URL: 'mysql://db/x', EVENTSTORE_URL: 'http://es' }),
      runCli(['token', '--sub', randomUUID()], { JWT_SECRET: 'short' }),
      runCli(['token', '--sub', randomUUID()], { NODE_ENV: 'production' }),
      runCli(['sweep'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres' }),
    ]);
    expect(badUrls.code).toBe(78);
    expect(badUrls.stderr).toBe(
      'Invalid configuration:\n  - DATABASE_URL: expected a postgres or postgresql URL\n  - EVENTSTORE_URL: expected a esdb or esdb+discover or kurrentdb or kurrentdb+discover URL\n',
    );
    expect(shortSecret).toMatchObject({
      code: 78,
      stdout: '',
      stderr: expect.stringContaining('JWT_SECRET: must be at least 32 characters'),
    });
    expect(shortSecret.stderr).not.toContain('short');
    expect(production).toMatchObject({ code: 78, stderr: expect.stringContaining('JWT_SECRET: required') });
    expect(down).toMatchObject({ code: 1, stdout: '' });
    expect(down.stderr).toMatch(/^error: cannot reach the database \(ECONNREFUSED 127\.0\.0\.1:1\)/);
    expect(down.stderr).not.toMatch(/\n\s+at /); // no stack trace without DEBUG
  });

  /** An org with usage (one in five demo orgs is idle): its analysis writes events to audit and erase. */
  let activeOrgId: string;

  it('migrate and demo-data: batches with progress lines on stderr, the result on stdout', async () => {
    const migrated = await cli('migrate');
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/^migrations\s+up to date$/m);

    const seeded = await cli('demo-data', '--orgs', '12', '--batch-size', '5', '--days', '45');
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/^orgs created\s+12$/m);
    expect(seeded.stdout).toMatch(/^days of usage\s+45$/m);
    expect(seeded.stdout).toMatch(/^owner user id\s+00000000-0000-4000-8000-00000000d3e0$/m);
    // Not a terminal: plain lines on stderr, first and last.
    expect(seeded.stderr).toMatch(/^demo-data: 0\/12 orgs$/m);
    expect(seeded.stderr).toMatch(/^demo-data: 12\/12 orgs in \d+\.\ds \(.+ orgs\/s\)$/m);
    const firstOrgId = /^first org id\s+([0-9a-f-]{36})$/m.exec(seeded.stdout)![1]!;
    await expect(db.pool.exists(sql.unsafe`SELECT 1 FROM organizations WHERE id = ${firstOrgId}`)).resolves.toBe(true);
    activeOrgId = (await db.pool.oneFirst(
      sql.unsafe`SELECT org_id FROM token_usage GROUP BY org_id ORDER BY sum(text_tokens_used) DESC, org_id LIMIT 1`,
    )) as string;

    const counts = await db.pool.one(sql.unsafe`
      SELECT (SELECT count(*) FROM organizations)::int AS orgs, (SELECT count(*) FROM token_wallets)::int AS wallets,
             (SELECT count(*) FROM user_organizations WHERE role = 'owner')::int AS owners,
             (SELECT count(*) FROM user_organizations WHERE role = 'admin')::int AS admins,
             (SELECT count(*) FROM user_organizations WHERE role = 'member')::int AS members,
             (SELECT count(DISTINCT org_id) FROM token_usage)::int AS "orgsWithUsage", (SELECT count(*) FROM token_usage)::int AS usage,
             (SELECT count(*) FROM organizations WHERE name LIKE 'Demo org %')::int AS named`);
    // Demo orgs 1-12 across batches of 5, 5, 2; profile by n: growing 1, 6, 11 / flat 2, 7, 12 / declining
    // 3, 8 (45 days of usage each), stopped 4, 9 (only days 31-45), idle 5, 10 (none).
    expect(counts).toEqual({
      orgs: 12,
      wallets: 12,
      owners: 12,
      admins: 12,
      members: 24,
      orgsWithUsage: 10,
      usage: 8 * 45 + 2 * 15,
      named: 12,
    });

    const more = json<{ orgs: number; days: number; firstOrgId: string }>({
      ...(await cli('demo-data', '--orgs', '2', '--json')),
      stderr: '',
    });
    expect(more).toMatchObject({ orgs: 2, days: 60, firstOrgId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('analyze --org, --all; an unknown org exits 1', async () => {
    const one = await cli('analyze', '--org', activeOrgId);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^org\\s+${activeOrgId}$`, 'm'));
    expect(one.stdout).toMatch(/^upsell opportunities\s+\d+$/m);
    expect(one.stdout).toMatch(/^potential MRR\s+\d+\.\d\d$/m);
    expect(one.stdout).toMatch(/^events appended\s+[1-9]\d*$/m);

    const [all, unknown] = await Promise.all([cli('analyze', '--all', '--json'), cli('analyze', '--org', randomUUID())]);
    expect(json<{ orgs: number; failed: number; failures: unknown[] }>({ ...all, stderr: '' })).toMatchObject({
      orgs: 14,
      failed: 0,
      failures: [],
    });
    expect(all.stderr).toMatch(/^analyze: 14\/14 orgs in /m);
    expect(unknown).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^error: organization [0-9a-f-]{36} does not exist\n$/),
    });
  });

  it('sweep: a phase on stderr, the counts on stdout', async () => {
    const swept = await cli('sweep', '--page-size', '3');
    expect(swept.code).toBe(0);
    expect(swept.stdout).toMatch(/^orgs swept\s+14$/m);
    expect(swept.stdout).toMatch(/^events appended\s+\d+$/m);
    expect(swept.stderr).toMatch(/^sweep: 14 orgs, pages of 3: done in /m);
    expect(swept.stdout).toMatch(/^mode\s+full$/m);
    // Incremental: the first run decides every org; the next, with nothing changed, none.
    const first = await cli('sweep', '--incremental', '--json');
    const second = await cli('sweep', '--incremental', '--json');
    expect(json<{ mode: string; fullReason: string; orgs: number }>(first)).toMatchObject({
      mode: 'full',
      fullReason: expect.stringMatching(/first run/),
      orgs: 14,
    });
    expect(json<{ mode: string; orgs: number; eventsAppended: number }>(second)).toMatchObject({
      mode: 'incremental',
      orgs: 0,
      eventsAppended: 0,
    });
  });

  it('projections status, rebuild (with progress), parked, resume', async () => {
    const rebuilt = await cli('projections', 'rebuild', 'revenue-read-model', '--json');
    const result = json<{ rebuilt: string; events: number }>({ ...rebuilt, stderr: '' });
    expect(result.rebuilt).toBe('revenue-read-model');
    expect(result.events).toBeGreaterThan(0);
    expect(rebuilt.stderr).toMatch(new RegExp(`^rebuild revenue-read-model: ${result.events}/${result.events} events in `, 'm'));

    const [status, statusJson, parked, resumed] = await Promise.all([
      cli('projections', 'status'),
      cli('projections', 'status', '--json'),
      cli('projections', 'parked', 'revenue-read-model'),
      cli('projections', 'resume', 'credit-ledger', '--json'),
    ]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^projection\s+version\s+state\s+position\s+lag\s+parked/);
    expect(status.stdout).toMatch(/^revenue-read-model\s+1\s+running\s+\d+-\d+\s+0\s+0/m);
    const statuses = json<Array<{ name: string; state: string; position: string | null }>>(statusJson);
    expect(statuses.map((s) => s.name).sort()).toEqual([
      'action-outbox',
      'credit-ledger',
      'revenue-daily',
      'revenue-read-model',
      'scheduler-runs',
    ]);
    expect(statuses.find((s) => s.name === 'revenue-read-model')?.position).toMatch(/^\d+-\d+$/);
    expect(parked).toEqual({ code: 0, stdout: 'no parked events for revenue-read-model\n', stderr: '' });
    expect(json(resumed)).toEqual({ projection: 'credit-ledger', resumed: false });
  });

  it("audit: the org stream's timeline, by opportunity and as of a time; unknown org exits 1", async () => {
    const all = json<{ events: Array<{ type: string; occurredAt: string; keyFields: Record<string, unknown>; actor: object }> }>(
      await cli('audit', activeOrgId, '--json'),
    );
    expect(all.events.length).toBeGreaterThan(0);
    expect(all.events[0]).toMatchObject({ type: 'revenue.opportunity-detected.v1', actor: { kind: 'system', id: 'cli' } });
    const opportunityId = all.events[0]!.keyFields.opportunityId as string;
    const before = new Date(Date.parse(all.events[0]!.occurredAt) - 1000).toISOString();

    const [human, byOpportunity, asOf, unknown] = await Promise.all([
      cli('audit', activeOrgId),
      cli('audit', activeOrgId, '--opportunity', opportunityId, '--json'),
      cli('audit', activeOrgId, '--as-of', before),
      cli('audit', randomUUID()),
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^org ${activeOrgId}: ${all.events.length} events?\\n`));
    expect(human.stdout).toMatch(/time \(UTC\)\s+rev\s+event\s+actor\s+command\s+details/);
    expect(human.stdout).toMatch(
      /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+0\s+opportunity-detected\.v1\s+system:cli\s+RunFullAnalysis\s+opportunityId=/,
    );
    const about = json<{ events: Array<{ data: { opportunityId?: string } }> }>(byOpportunity).events;
    expect(about.length).toBeGreaterThan(0);
    expect(about.every((e) => e.data.opportunityId === opportunityId)).toBe(true);
    expect(asOf).toMatchObject({ code: 0, stdout: `org ${activeOrgId}: 0 events (up to ${before})\n` });
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: organization [0-9a-f-]{36} does not exist\n$/) });
  });

  it('token: a user token and a service token the API would accept', async () => {
    const userId = randomUUID();
    const [user, service] = await Promise.all([
      cli('token', '--sub', userId),
      cli('token', '--service', 'maos', '--scope', 'maos:read maos:approve audit:read', '--expires-in', '30m', '--json'),
    ]);
    expect(user.code).toBe(0);
    expect(user.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const key = new TextEncoder().encode(TEST_SECRET);
    const { payload } = await jwtVerify(user.stdout.trim(), key, { audience: 'authenticated' });
    expect(payload).toMatchObject({ sub: userId, role: 'authenticated' });
    const minted = json<{ token: string; kind: string; scope: string; expiresAt: string }>({ ...service, stderr: '' });
    expect(minted).toMatchObject({ kind: 'service', sub: 'maos', scope: 'maos:read maos:approve audit:read' });
    const verified = await jwtVerify(minted.token, key, { audience: 'authenticated' });
    expect(verified.payload).toMatchObject({ sub: 'maos', role: 'service_role', scope: 'maos:read maos:approve audit:read' });
    expect(verified.payload.exp! - verified.payload.iat!).toBe(30 * 60);
  });

  it("erase-org: erases the org's revenue data once, then finds nothing", async () => {
    const erased = json<{ erased: boolean; counts: { events: number; opportunities: number } }>({
      ...(await cli('erase-org', activeOrgId, '--yes', '--json')),
      stderr: '',
    });
    expect(erased.erased).toBe(true);
    expect(erased.counts.events).toBeGreaterThan(0);
    expect(erased.counts.opportunities).toBeGreaterThan(0);
    const [again, audit] = await Promise.all([cli('erase-org', activeOrgId, '--yes'), cli('audit', activeOrgId)]);
    expect(again).toMatchObject({
      code: 0,
      stdout: `nothing to erase for org ${activeOrgId} (already erased, or it never had revenue data)\n`,
    });
    expect(audit).toMatchObject({ code: 0, stdout: `org ${activeOrgId}: 0 events\n` });
    const rows = await db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM revenue_opportunities WHERE org_id = ${activeOrgId}`);
    expect(rows).toBe(0);
  });
});

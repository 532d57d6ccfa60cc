import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { PostgresEventStore } from '#event-store';
import { ProjectionRunner, postgresLogLag } from '#projection-runner';
import { allProjections, SCHEDULER_EVENT_TYPES, type SchedulerRun } from '#read-models';
import { startScheduler } from '#runtime';
import { defaultRuleSet } from '#revenue';
import { runCli, TEST_SECRET } from './support/run-cli.js';

const HOUR = 3_600_000;
const quiet = { info: () => undefined, warn: () => undefined, error: (fields: object, message: string) => console.error(message, fields) };

/** `revenue-engine runs` as a real process, over runs a real scheduler recorded and the projection wrote. */
describe('revenue-engine runs', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.url, JWT_SECRET: TEST_SECRET, NODE_ENV: 'test' };
    const store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, pollIntervalMs: 50 });
    const runner = new ProjectionRunner({
      store,
      pool: db.pool,
      connectionUrl: db.url,
      projections: allProjections,
      lag: postgresLogLag(db.pool),
      lockRetryMs: 50,
      logger: quiet,
    });
    runner.start();
    let now = new Date('2026-11-01T00:00:00.000Z');
    const clock = { now: () => new Date(now) };
    const scheduler = startScheduler({
      deps: { store, pool: db.pool, clock, ruleSet: defaultRuleSet },
      intervalMs: HOUR,
      proposalMaxAgeMs: 72 * HOUR,
      tickMs: 5,
      leaderRetryMs: 20,
      logger: quiet,
      instanceId: 'cli-test',
    });
    const finished = () => store.readAll({ eventTypes: [SCHEDULER_EVENT_TYPES.runFinished] });
    try {
      for (let n = 1; n <= 2; n++) {
        const deadline = Date.now() + 30_000;
        while ((await finished()).length < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        now = new Date(now.getTime() + HOUR);
      }
    } finally {
      await scheduler.stop();
    }
    expect(await runner.waitFor('scheduler-runs', (await finished()).at(-1)!.position, 20_000)).toBe(true);
    await runner.stop();
    await store.close();
  });
  afterAll(async () => db?.drop());

  it('prints the runs as JSON (newest first, --limit) and as a table, exit 0', async () => {
    const all = await cli('runs', '--json');
    expect({ code: all.code, stderr: all.stderr }).toEqual({ code: 0, stderr: '' });
    const rows = JSON.parse(all.stdout) as SchedulerRun[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ instanceId: 'cli-test', outcome: 'succeeded', orgs: 0, errors: [] });
    expect(rows[0]!.startedAt > rows[1]!.startedAt).toBe(true);
    const one = await cli('runs', '--limit', '1', '--json');
    expect((JSON.parse(one.stdout) as SchedulerRun[]).map((r) => r.runId)).toEqual([rows[0]!.runId]);
    const human = await cli('runs');
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toMatch(/^run id\s+started\s+finished\s+outcome/);
    expect(human.stdout).toContain(rows[1]!.runId);
  });

  it('refuses a bad --limit with exit 2', async () => {
    const bad = await cli('runs', '--limit', '0');
    expect({ code: bad.code, stdout: bad.stdout }).toEqual({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/expected a whole number from 1 to 1,000/);
  });
});

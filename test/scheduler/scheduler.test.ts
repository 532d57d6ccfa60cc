import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { formatPosition, withMetadata } from '#event-store';
import { listSchedulerRuns, SCHEDULER_EVENT_TYPES, schedulerRunStreamName } from '#read-models';
import { SweepFleet, SweepFleetHandler } from '#revenue-commands';
import { nextRunDue, SCHEDULER_LOCK_KEY, type Scheduler } from '#runtime';
import { sql } from '#database';
import { createRevenueHarness, seedOrg, type RevenueHarness } from '../revenue/support/revenue-harness.js';
import { fastScheduler, finishedRuns, HOUR, recordedRuns, until } from './support.js';

describe('scheduler: one leader, one run per interval, never overlapping, every run recorded', () => {
  let h: RevenueHarness;
  let running: Scheduler[] = [];
  const start = (...args: Parameters<typeof fastScheduler>) => {
    const s = fastScheduler(...args);
    running.push(s);
    return s;
  };
  beforeAll(async () => {
    h = await createRevenueHarness();
    await seedOrg(h, { tier: 1, balance: 1, days: 60, daily: () => ({ text: 2_000, voice: 0 }) });
  });
  afterEach(async () => {
    await Promise.all(running.map((s) => s.stop()));
    running = [];
  });
  afterAll(async () => h?.close());

  it('computes the next run from the previous start and end (pure)', () => {
    const t = new Date('2026-11-01T00:00:00Z');
    expect(nextRunDue(null, HOUR, t)).toEqual(t);
    expect(nextRunDue({ startedAt: t, finishedAt: new Date(t.getTime() + 60_000) }, HOUR, t).getTime()).toBe(t.getTime() + HOUR);
    expect(nextRunDue({ startedAt: t, finishedAt: new Date(t.getTime() + 2 * HOUR) }, HOUR, t).getTime()).toBe(t.getTime() + 2 * HOUR);
  });

  it('two instances at once produce exactly one run per interval; a leader that stops hands over', async () => {
    const a = start(h, { instanceId: 'a' });
    const b = start(h, { instanceId: 'b' });
    await until(async () => (await finishedRuns(h)).length === 1, 'the first run');
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    for (let interval = 1; interval <= 3; interval++) {
      await sleep(100); // many ticks of both instances inside the same interval: still one run
      expect(await recordedRuns(h)).toHaveLength(interval);
      h.clock.current = new Date(h.clock.current.getTime() + HOUR);
      await until(async () => (await finishedRuns(h)).length === interval + 1, `the run of interval ${interval}`);
    }
    const leader = a.isLeader() ? a : b;
    const follower = leader === a ? b : a;
    await leader.stop();
    await until(() => follower.isLeader(), 'the other instance to take over');
    await sleep(100); // the new leader continues the schedule: this interval already had its run
    expect(await recordedRuns(h)).toHaveLength(4);
    h.clock.current = new Date(h.clock.current.getTime() + HOUR);
    await until(async () => (await finishedRuns(h)).length === 5, 'the run after the handover');
    const runs = await recordedRuns(h);
    expect(runs.at(-1)!.instanceId).toBe(follower.instanceId);
    const intervals = runs.map((r) => Math.floor((r.startedAt - runs[0]!.startedAt) / HOUR));
    expect(intervals).toEqual([0, 1, 2, 3, 4]);
    expect(runs.every((r) => r.finished?.outcome === 'succeeded')).toBe(true);
  });

  it('a run longer than the interval delays the next one, never overlaps it', async () => {
    const before = (await recordedRuns(h)).length;
    h.clock.current = new Date(h.clock.current.getTime() + HOUR);
    // The sweep takes 1.5 intervals of (moved) clock time and some real time.
    const slowSweep = async (meta: Parameters<SweepFleetHandler['execute']>[0]['meta']) => {
      h.clock.current = new Date(h.clock.current.getTime() + 1.5 * HOUR);
      await sleep(50);
      return new SweepFleetHandler(h.deps).execute(new SweepFleet(meta));
    };
    start(h, { instanceId: 'slow-a', sweep: slowSweep });
    start(h, { instanceId: 'slow-b', sweep: slowSweep });
    await until(async () => (await finishedRuns(h)).length >= before + 3, 'three slow runs');
    await Promise.all(running.map((s) => s.stop()));
    const runs = (await recordedRuns(h)).slice(before);
    for (let i = 1; i < runs.length; i++) {
      const previous = runs[i - 1]!;
      expect(previous.finishedAt).not.toBeNull();
      expect(runs[i]!.startedAt).toBeGreaterThanOrEqual(previous.finishedAt!); // clock: after the previous ended
      expect(runs[i]!.startedAt - previous.startedAt).toBeGreaterThanOrEqual(HOUR);
      expect(runs[i]!.startIndex).toBeGreaterThan(previous.finishIndex!); // log: started only after the previous finished
    }
  });

  it('records every run as events and in the scheduler_runs projection', async () => {
    const runs = await finishedRuns(h);
    const last = runs.at(-1)!;
    await h.caughtUp(formatPosition(last.finishEvent!.position));
    const stream = await h.store.readStream(schedulerRunStreamName(last.runId));
    expect(stream.map((e) => e.type)).toEqual([SCHEDULER_EVENT_TYPES.runStarted, SCHEDULER_EVENT_TYPES.runFinished]);
    expect(stream[0]!.metadata.actor).toEqual({ kind: 'system', id: 'scheduler' });
    const listed = await listSchedulerRuns(h.db.pool, { limit: 100 });
    expect(listed.map((r) => r.runId).sort()).toEqual(runs.map((r) => r.runId).sort());
    const row = listed.find((r) => r.runId === last.runId)!;
    expect(row).toMatchObject({
      instanceId: last.instanceId,
      outcome: 'succeeded',
      orgs: 1,
      detections: last.finished!.detections,
      actionsExpired: 0,
      errors: [],
      finishedAt: new Date(last.finishedAt!).toISOString(),
      startedAt: new Date(last.startedAt).toISOString(),
    });
    expect(listed[0]!.startedAt >= listed.at(-1)!.startedAt).toBe(true); // newest first
    const page1 = await listSchedulerRuns(h.db.pool, { limit: 2 });
    const page2 = await listSchedulerRuns(h.db.pool, { limit: 2, before: page1.at(-1)!.runId });
    expect(page2[0]!.startedAt <= page1.at(-1)!.startedAt).toBe(true);
    expect(page2.map((r) => r.runId)).not.toContain(page1[0]!.runId);
  });

  it('the projection rebuilds to the same rows, and the client roles cannot touch the table', async () => {
    const before = await listSchedulerRuns(h.db.pool, { limit: 100 });
    await h.runner.rebuild('scheduler-runs', { timeoutMs: 60_000 });
    expect(await listSchedulerRuns(h.db.pool, { limit: 100 })).toEqual(before);
    const privileges = await h.db.pool.anyFirst(sql.unsafe`
      SELECT r || ':' || p FROM unnest(ARRAY['authenticated', 'anon']) AS r, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p
      WHERE has_table_privilege(r, 'scheduler_runs', p)`);
    expect(privileges).toEqual([]);
  });

  it('a run left unfinished by a dead leader is marked abandoned by the next leader', async () => {
    const runId = randomUUID();
    const now = h.clock.now();
    await h.store.append(
      schedulerRunStreamName(runId),
      withMetadata(
        [
          {
            type: SCHEDULER_EVENT_TYPES.runStarted,
            data: { runId, instanceId: 'dead', scheduledFor: now.toISOString(), startedAt: now.toISOString() },
          },
        ],
        { command: 'ScheduledRun', actor: { kind: 'system', id: 'scheduler' }, correlationId: runId, now },
      ),
      'no_stream',
    );
    const s = start(h, { instanceId: 'heir' });
    await until(async () => (await recordedRuns(h)).find((r) => r.runId === runId)?.finished !== null, 'the abandoned run to be closed');
    const closed = (await recordedRuns(h)).find((r) => r.runId === runId)!;
    expect(closed.finished).toMatchObject({ outcome: 'abandoned', orgs: 0, actionsExpired: 0 });
    expect(s.isLeader()).toBe(true);
    await sleep(100); // the abandoned run counts for its interval: no new run yet
    expect((await recordedRuns(h)).at(-1)!.runId).toBe(runId);
  });

  it('a leader whose lock session dies stops leading, and leadership passes to a new session (exactly one leader)', async () => {
    const a = start(h, { instanceId: 'lose-a' });
    await until(() => a.isLeader(), 'a to lead');
    const b = start(h, { instanceId: 'lose-b' });
    await sleep(100);
    expect(b.isLeader()).toBe(false);
    const high = BigInt.asUintN(64, SCHEDULER_LOCK_KEY) >> 32n;
    const low = BigInt.asUintN(64, SCHEDULER_LOCK_KEY) & 0xffffffffn;
    const holders = () =>
      h.db.pool.anyFirst(sql.unsafe`
        SELECT pid FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND classid::int8 = ${high.toString()}::int8 AND objid::int8 = ${low.toString()}::int8`);
    const [killedPid] = await holders();
    expect(await h.db.pool.oneFirst(sql.unsafe`SELECT pg_terminate_backend(${killedPid as number})`)).toBe(true);
    // Either instance may win the lock again (a retries too): what matters is one leader, on a live session.
    await until(async () => {
      const now = await holders();
      return now.length === 1 && now[0] !== killedPid && a.isLeader() !== b.isLeader();
    }, 'one new leader on a new session');
  });
});

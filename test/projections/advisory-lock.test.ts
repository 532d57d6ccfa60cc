import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import type { ProjectionRunner } from '#projection-runner';
import { counterProjection, createCounterTable, foldCounters, readCounters } from './support/counter-projection.js';
import { createHarness, type Harness } from './support/harness.js';
import { appendCounted, readWholeLog } from './support/log.js';

async function activeOf(runners: readonly ProjectionRunner[]): Promise<boolean[]> {
  return Promise.all(runners.map(async (r) => (await r.status())[0]!.activeHere));
}

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (accept(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('projection runner: one active runner per projection (advisory lock)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await createCounterTable(h.db.pool);
  });
  afterAll(async () => h?.close());

  it('runs one of two runners; the other takes over after a graceful stop and after its session dies', async () => {
    const slow = () => counterProjection({ sleepMsPerBatch: 5 });
    const a = h.runner([slow()]);
    const b = h.runner([slow()]);
    let head = await appendCounted(h.store, 4000, { streams: 30 });
    a.start();
    b.start();

    // While both run, never two at once (sampled while they project).
    const first = await until(
      () => activeOf([a, b]),
      (v) => v.includes(true),
      'a runner to become active',
    );
    for (let i = 0; i < 20; i++) expect((await activeOf([a, b])).filter(Boolean).length).toBeLessThanOrEqual(1);
    expect(await a.waitFor('test-counters', head, 30_000)).toBe(true);
    const [active, standby] = first[0] ? [a, b] : [b, a];
    expect(await activeOf([active, standby])).toEqual([true, false]);

    // Graceful stop of the active one: the standby takes the lock and continues.
    await active.stop();
    await until(
      () => activeOf([standby]),
      (v) => v[0] === true,
      'the standby to take over',
    );
    head = await appendCounted(h.store, 1500, { streams: 30, first: 10_000 });
    expect(await standby.waitFor('test-counters', head, 30_000)).toBe(true);

    // A third runner waits; the active one's lock session is killed (as if its host died).
    const c = h.runner([slow()]);
    c.start();
    const pids = await h.db.pool.anyFirst(sql.unsafe`
      SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'projection:test-counters'
        AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)`);
    expect(pids).toHaveLength(1);
    head = await appendCounted(h.store, 3000, { streams: 30, first: 20_000 });
    await h.db.pool.query(sql.unsafe`SELECT pg_terminate_backend(${pids[0] as number})`);
    expect(await c.waitFor('test-counters', head, 30_000)).toBe(true);
    await until(
      () => activeOf([standby, c]),
      (v) => v.filter(Boolean).length === 1,
      'one runner to be active again',
    );

    expect(await readCounters(h.db.pool)).toEqual(foldCounters(await readWholeLog(h.store)));
    expect(h.log.lines.filter((l) => l.message.startsWith('projection lock acquired')).length).toBeGreaterThanOrEqual(3);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { createTestDatabase } from '#database/testing';
import { comparePositions, type LogPosition } from '#event-store';
import { readCheckpoint } from '#projection-runner';
import { counterProjection, createCounterTable, foldCounters, readCounters, UNRELATED } from './support/counter-projection.js';
import { createHarness, type Harness } from './support/harness.js';
import { appendCounted, counted, readWholeLog, waitVisible } from './support/log.js';

describe('projection runner: exactly once and resume', () => {
  let h: Harness;
  let head: LogPosition;
  beforeAll(async () => {
    h = await createHarness();
    await createCounterTable(h.db.pool);
  });
  afterAll(async () => h?.close());

  it('reports the projection as pending with the whole log as lag before any runner started', async () => {
    head = await appendCounted(h.store, 6000, { streams: 40 });
    // Lag counts what readers can see: a long transaction elsewhere on the server (another test
    // file's) may hold the horizon back for a moment, so wait until the last append is visible.
    await waitVisible(h.store, head);
    const [status] = await h.runner([counterProjection()]).status();
    expect(status).toMatchObject({
      name: 'test-counters',
      state: 'pending',
      position: null,
      lagEvents: 6000,
      parkedCount: 0,
      activeHere: false,
    });
  });

  it('applies every event once, even when a batch fails after writing and is retried', async () => {
    const failOnce = { failed: false };
    const runner = h.runner([counterProjection({ failOnceAfterWrite: failOnce })]);
    runner.start();
    expect(await runner.waitFor('test-counters', head, 30_000)).toBe(true);
    expect(failOnce.failed).toBe(true);
    expect(await readCounters(h.db.pool)).toEqual(foldCounters(await readWholeLog(h.store)));
    const [status] = await runner.status();
    expect(status).toMatchObject({ state: 'running', position: head, lagEvents: 0, parkedCount: 0, activeHere: true });
    expect(h.log.lines.some((l) => l.level === 'warn' && l.message === 'projection batch failed')).toBe(true);
    await runner.stop();
    expect((await runner.status())[0]!.activeHere).toBe(false);
  });

  it('resumes from its checkpoint after a restart: nothing applied twice, nothing missed', async () => {
    const before = await readCheckpoint(h.db.pool, 'test-counters');
    const head = await appendCounted(h.store, 2500, { streams: 40, first: 100_000 });
    const runner = h.runner([counterProjection()]);
    runner.start();
    expect(await runner.waitFor('test-counters', head, 30_000)).toBe(true);
    const after = await readCheckpoint(h.db.pool, 'test-counters');
    expect(comparePositions(after!.position!, before!.position!)).toBeGreaterThan(0);
    expect(await readCounters(h.db.pool)).toEqual(foldCounters(await readWholeLog(h.store)));
    await runner.stop();
  });

  it('waitFor: a write of types the projection ignores counts as passed once visible; a stopped runner times out', async () => {
    const runner = h.runner([counterProjection()]);
    const unrelated = await h.store.append('unrelated-1', [counted(1, UNRELATED)], 'any');
    await waitVisible(h.store, unrelated.position);
    expect(await runner.waitFor('test-counters', unrelated.position, 2000)).toBe(true);

    const countedHead = await appendCounted(h.store, 10, { first: 500_000 });
    expect(await runner.waitFor('test-counters', countedHead, 200)).toBe(false); // not started: nothing moves
    runner.start();
    expect(await runner.waitFor('test-counters', countedHead, 30_000)).toBe(true);
    const total = await h.db.pool.oneFirst(sql.unsafe`SELECT sum(events)::int FROM test_counters`);
    expect(total).toBe(6000 + 2500 + 10);
  });

  it('refuses bad input with typed errors', async () => {
    const runner = h.runner([counterProjection()]);
    expect(() => runner.waitFor('nope', { commit: 1n, prepare: 1n }, 10)).toThrow(/not registered/);
    expect(() => h.runner([counterProjection({ name: 'Bad Name' })])).toThrow(/InvalidProjection|name must match/);
    expect(() => h.runner([counterProjection(), counterProjection({ name: 'other' })])).toThrow(/already owned by test-counters/);
    expect(() => h.runner([counterProjection()], { batchSize: 0 })).toThrow(/batchSize must be an integer >= 1/);
  });
});

describe('projection lag and transactions of other databases', () => {
  it('counts the events every reader of this log sees, whatever another database of the cluster holds open', async () => {
    const h = await createHarness();
    const elsewhere = await createTestDatabase();
    try {
      await createCounterTable(h.db.pool);
      // A transaction with an id, left open in another database: it holds pg_snapshot_xmin back
      // for the whole cluster, but not the log's readers (event_store.log_horizon()).
      await elsewhere.pool.connect(async (connection) => {
        await connection.query(sql.unsafe`BEGIN`);
        await connection.query(sql.unsafe`SELECT pg_current_xact_id()`);
        try {
          const last = await appendCounted(h.store, 50, { streams: 5 });
          await waitVisible(h.store, last);
          const [status] = await h.runner([counterProjection()]).status();
          expect(status).toMatchObject({ name: 'test-counters', lagEvents: 50 });
        } finally {
          await connection.query(sql.unsafe`ROLLBACK`);
        }
      });
    } finally {
      await elsewhere.drop();
      await h.close();
    }
  });
});

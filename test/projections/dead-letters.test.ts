import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { comparePositions, type LogPosition } from '#event-store';
import { listParked, readCheckpoint, type ProjectionRunner } from '#projection-runner';
import { counterProjection, createCounterTable, foldCounters, readCounters } from './support/counter-projection.js';
import { createHarness, type Harness } from './support/harness.js';
import { appendCounted, readWholeLog } from './support/log.js';

async function untilState(runner: ProjectionRunner, state: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if ((await runner.status())[0]!.state === state) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`projection never reached ${state}`);
}

describe('projection runner: failing events are parked, then halt or skip (never silent)', () => {
  let h: Harness;
  let head: LogPosition;
  beforeAll(async () => {
    h = await createHarness();
    await createCounterTable(h.db.pool, 'halt_counters');
    await createCounterTable(h.db.pool, 'skip_counters');
    head = await appendCounted(h.store, 3000, { streams: 25 });
  });
  afterAll(async () => h?.close());

  it("'halt': parks the event, keeps the checkpoint just before it, logs loudly; resume retries it", async () => {
    const poison = new Set([1234]);
    const runner = h.runner([counterProjection({ name: 'halting', table: 'halt_counters', onError: 'halt', poison })]);
    runner.start();
    await untilState(runner, 'halted');

    const log = await readWholeLog(h.store);
    const culprit = log.findIndex((e) => (e.data as { amount: number }).amount === 1234);
    const [status] = await runner.status();
    expect(status).toMatchObject({ state: 'halted', parkedCount: 1, position: log[culprit - 1]!.position });
    expect(status!.haltedReason).toContain(log[culprit]!.metadata.eventId);
    expect(await listParked(h.db.pool, 'halting')).toEqual([
      expect.objectContaining({ eventId: log[culprit]!.metadata.eventId, error: 'Error: poison amount in batch', attempts: 4 }),
    ]);
    expect(await readCounters(h.db.pool, 'halt_counters')).toEqual(foldCounters(log.slice(0, culprit)));
    expect(h.log.lines).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('HALTED') }));
    expect(await runner.waitFor('halting', head, 5_000)).toBe(false);

    poison.clear(); // the fix is deployed
    expect(await runner.resume('halting')).toBe(true);
    expect(await runner.waitFor('halting', head, 30_000)).toBe(true);
    expect(await readCounters(h.db.pool, 'halt_counters')).toEqual(foldCounters(log));
    expect((await runner.status())[0]).toMatchObject({ state: 'running', parkedCount: 1, haltedReason: null });
    expect(await runner.resume('halting')).toBe(false);
  });

  it("'skip': parks each failing event and moves past it", async () => {
    const poison = new Set([77, 2500]);
    const runner = h.runner([counterProjection({ name: 'skipping', table: 'skip_counters', onError: 'skip', poison })]);
    runner.start();
    expect(await runner.waitFor('skipping', head, 30_000)).toBe(true);

    const log = await readWholeLog(h.store);
    expect(await readCounters(h.db.pool, 'skip_counters')).toEqual(foldCounters(log, poison));
    const parked = await listParked(h.db.pool, 'skipping');
    const ids = log.filter((e) => poison.has((e.data as { amount: number }).amount)).map((e) => e.metadata.eventId);
    expect(parked.map((p) => p.eventId)).toEqual(ids);
    expect((await runner.status())[0]).toMatchObject({ state: 'running', parkedCount: 2 });
    expect(comparePositions((await readCheckpoint(h.db.pool, 'skipping'))!.position!, head)).toBe(0);
    expect(h.log.lines.filter((l) => l.level === 'error' && l.message.includes('skipped an event'))).toHaveLength(2);
  });
});

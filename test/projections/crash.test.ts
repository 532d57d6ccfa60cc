import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot, sql } from '#database';
import { comparePositions, type LogPosition } from '#event-store';
import { readCheckpoint } from '#projection-runner';
import { counterProjection, createCounterTable, foldCounters, readCounters } from './support/counter-projection.js';
import { createHarness, type Harness } from './support/harness.js';
import { appendCounted, readWholeLog } from './support/log.js';

const EVENTS = 40_000;

describe('crash test: kill -9 in the middle of projecting, restart, compare with a fresh rebuild', () => {
  let h: Harness;
  let head: LogPosition;
  let child: ChildProcess | null = null;
  let childOutput = '';
  beforeAll(async () => {
    h = await createHarness();
    await createCounterTable(h.db.pool);
    head = await appendCounted(h.store, EVENTS, { streams: 200 });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await h?.close();
  });

  it('loses nothing and applies nothing twice', async () => {
    child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', join(projectRoot(), 'test/projections/support/crash-child.ts')],
      {
        cwd: projectRoot(),
        env: { ...process.env, CRASH_DB_URL: h.db.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => (childOutput += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (childOutput += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.once('exit', (_code, signal) => resolve(signal)));

    // Kill once the child has committed a good share of the log, well before the end.
    let projected = 0;
    for (let i = 0; i < 6000 && projected < EVENTS / 4; i++) {
      if (child.exitCode !== null) throw new Error(`child exited early:\n${childOutput}`);
      projected = Number(await h.db.pool.oneFirst(sql.unsafe`SELECT coalesce(sum(events), 0)::int8 FROM test_counters`));
      if (projected < EVENTS / 4) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(projected).toBeGreaterThanOrEqual(EVENTS / 4);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The moment of the crash: the checkpoint is mid-way, and the read model is exactly the
    // events up to it (the transaction in flight when the process died rolled back).
    const log = await readWholeLog(h.store);
    const atCrash = (await readCheckpoint(h.db.pool, 'test-counters'))!.position!;
    expect(comparePositions(atCrash, head)).toBeLessThan(0);
    const applied = log.filter((e) => comparePositions(e.position, atCrash) <= 0);
    expect(applied.length).toBeGreaterThanOrEqual(EVENTS / 4);
    expect(applied.length).toBeLessThan(EVENTS);
    expect(await readCounters(h.db.pool)).toEqual(foldCounters(applied));

    // Restart: catches up from the checkpoint (the dead session's advisory lock is gone).
    const runner = h.runner([counterProjection()], { batchSize: 2000 });
    runner.start();
    expect(await runner.waitFor('test-counters', head, 120_000)).toBe(true);
    const recovered = await readCounters(h.db.pool);
    expect(recovered).toEqual(foldCounters(log));

    // And identical to a rebuild from zero.
    await runner.rebuild('test-counters', { timeoutMs: 120_000 });
    expect(await readCounters(h.db.pool)).toEqual(recovered);
    expect(Object.values(recovered).reduce((sum, c) => sum + c.events, 0)).toBe(EVENTS);
  });
});

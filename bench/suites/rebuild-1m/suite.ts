import { spawn } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabasePool, sql } from '#database';
import { metric, type BenchContext, type Metric, type Suite } from '../../harness.js';
import { describeSplit, type CpuSplit } from '../support/cpu.js';
import { resetEntries } from '../support/entries-projection.js';
import { seedLog } from '../support/events.js';

const EVENTS = 1_000_000;
const MAX_ROUNDS = 2;

interface ChildReport {
  readonly split: CpuSplit;
  readonly maxRssMiB: number;
}

/**
 * runner.rebuild() of the bench read model over a 1M-event log, in a child process (its peak
 * RSS is the rebuild's): shadow tables, replay from position zero, swap. The live checkpoint
 * starts at the head, so the child does nothing but the rebuild.
 */
export const rebuild1m: Suite = {
  name: 'rebuild-1m',
  description: `runner.rebuild() from position zero over ${EVENTS.toLocaleString('en-US')} events, in a child process`,
  async run(ctx: BenchContext): Promise<Metric[]> {
    const url = await ctx.freshDatabase();
    const pool = await createDatabasePool(url);
    try {
      const seeded = performance.now();
      const head = await seedLog(pool, EVENTS, { streams: 1000 });
      ctx.log(`log seeded (set-based INSERT): ${EVENTS} events in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
      await resetEntries(pool);
      await pool.query(sql.unsafe`
        INSERT INTO projection_checkpoints (name, version, commit_position, prepare_position)
        VALUES ('bench-entries', 1, ${head.commit}, ${head.prepare})`);
      const reports: ChildReport[] = [];
      for (let round = 1; round <= Math.min(ctx.rounds, MAX_ROUNDS); round++) {
        const report = await runChild(url);
        reports.push(report);
        ctx.log(`round ${round}: rebuild ${describeSplit(report.split)}; peak RSS ${report.maxRssMiB.toFixed(0)} MiB`);
      }
      return [
        metric(
          'rebuild time',
          's',
          reports.map((r) => r.split.wallS),
          { target: '<= 20' },
        ),
        metric(
          'rebuild rate',
          'events/s',
          reports.map((r) => EVENTS / r.split.wallS),
        ),
        metric(
          'peak RSS of the rebuilding process',
          'MiB',
          reports.map((r) => r.maxRssMiB),
          { target: '<= 300' },
        ),
      ];
    } finally {
      await pool.end();
    }
  },
};

/** Runs rebuild-child with the same node flags (a .ts loader under tsx, nothing after a build). */
function runChild(url: string): Promise<ChildReport> {
  const self = fileURLToPath(import.meta.url);
  const child = fileURLToPath(new URL(`./rebuild-child${extname(self)}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, child, url, String(EVENTS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) return reject(new Error(`rebuild child exited with ${code}: ${out}`));
      resolve(JSON.parse(line) as ChildReport);
    });
  });
}

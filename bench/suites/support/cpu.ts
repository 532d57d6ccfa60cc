import { readFile } from 'node:fs/promises';
import { sql, type DatabasePool } from '#database';

/** Where the time of one measured piece of work went: wall clock, this process, the database's backends. */
export interface CpuSplit {
  readonly wallS: number;
  readonly nodeCpuS: number;
  /** CPU of the PostgreSQL backends connected to the bench database (local server only; 0 when /proc is unreadable). */
  readonly pgCpuS: number;
}

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/**
 * Runs `work` and splits its cost between node and PostgreSQL. Backends are sampled before and
 * after from pg_stat_activity: one that connected during the work counts from zero, one that
 * disconnected before the end is missed (pools keep theirs open, so that is rare).
 */
export async function measureCpu<T>(pool: DatabasePool, work: () => Promise<T>): Promise<{ result: T; split: CpuSplit }> {
  const before = await backendTicks(pool);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const after = await backendTicks(pool);
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return { result, split: { wallS, nodeCpuS: (used.user + used.system) / 1e6, pgCpuS: ticks / TICKS_PER_SECOND } };
}

export function describeSplit(s: CpuSplit): string {
  const pct = (x: number) => `${Math.round((100 * x) / s.wallS)}%`;
  return `wall ${s.wallS.toFixed(2)} s, node CPU ${s.nodeCpuS.toFixed(2)} s (${pct(s.nodeCpuS)}), postgres CPU ${s.pgCpuS.toFixed(2)} s (${pct(s.pgCpuS)})`;
}

async function backendTicks(pool: DatabasePool): Promise<Map<number, number>> {
  const pids = (await pool.anyFirst(sql.unsafe`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)) as readonly number[];
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks.set(pid, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

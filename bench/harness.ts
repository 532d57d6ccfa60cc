import { cpus, totalmem } from 'node:os';
import { randomBytes } from 'node:crypto';
import { acquirePostgres, createDatabase, dropDatabase, migrate, type PostgresServer } from '#database';

/** One measured quantity of a suite, summarised over its rounds. */
export interface Metric {
  readonly name: string;
  readonly unit: string;
  readonly samples: number[];
  readonly median: number;
  /** Optional target, e.g. ">= 20000". */
  readonly target?: string;
  readonly note?: string;
}

export interface BenchContext {
  readonly serverUrl: string;
  readonly rounds: number;
  /** A fresh, migrated database on the bench server; dropped by the harness at the end. */
  freshDatabase(): Promise<string>;
  log(line: string): void;
}

export interface Suite {
  readonly name: string;
  readonly description: string;
  run(ctx: BenchContext): Promise<Metric[]>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function metric(name: string, unit: string, samples: number[], extra: { target?: string; note?: string } = {}): Metric {
  return { name, unit, samples, median: median(samples), ...extra };
}

export function machine(): { cores: number; cpu: string; memoryGiB: number; node: string } {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

export async function openBenchServer(): Promise<{ server: PostgresServer; ctx: BenchContext; cleanup(): Promise<void> }> {
  const server = await acquirePostgres(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL, { name: 'bench', persistent: false });
  const created: string[] = [];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const ctx: BenchContext = {
    serverUrl: server.url,
    rounds,
    freshDatabase: async () => {
      const name = `re_bench_${randomBytes(4).toString('hex')}`;
      const url = await createDatabase(server.url, name);
      created.push(name);
      await migrate(url);
      return url;
    },
    log: (line) => process.stdout.write(`  ${line}\n`),
  };
  return {
    server,
    ctx,
    cleanup: async () => {
      for (const name of created) await dropDatabase(server.url, name).catch(() => undefined);
      await server.stop();
    },
  };
}

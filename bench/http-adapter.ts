import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type CanActivate, Controller, type ExecutionContext, Get, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createHttpPlatform, HTTP_ADAPTER_KINDS, type HttpAdapterKind } from '#api';
import { metric, type Metric, type Suite } from './harness.js';

/**
 * Express vs Fastify under the same tiny Nest app (a guarded GET returning JSON). The server
 * runs in a child process so autocannon does not share its event loop; adapters alternate
 * round by round so drift on a shared machine hits both alike.
 *
 *   npx tsx bench/http-adapter.ts            (standalone; BENCH_ROUNDS, BENCH_SECONDS)
 */
const TOKEN = 'Bearer bench-token';

// autocannon ships no type declarations: type the little this file uses.
interface CannonResult {
  readonly requests: { readonly average: number };
  readonly latency: { readonly p99: number };
  readonly errors: number;
  readonly non2xx: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
  headers: Record<string, string>;
}) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

class BenchGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers.authorization === TOKEN;
  }
}

@Controller('bench')
@UseGuards(BenchGuard)
class BenchController {
  @Get('item')
  item(): unknown {
    return { id: '6f1c7c55-8a6c-4b43-9d0e-0a4b0f6a8c11', type: 'upsell', confidence: 0.85, details: { currentTier: 1, suggestedTier: 2 } };
  }
}

@Module({ controllers: [BenchController] })
class BenchModule {}

async function serve(kind: HttpAdapterKind): Promise<void> {
  const platform = createHttpPlatform(kind, 100_000);
  const app = await NestFactory.create(BenchModule, platform.adapter, { ...platform.nestOptions, logger: false });
  platform.afterCreate(app);
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`${await app.getUrl()}\n`);
}

function startServer(kind: HttpAdapterKind): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'serve', kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (url) => resolve({ child, url: url.replace('[::1]', '127.0.0.1') }));
    child.once('exit', (code) => reject(new Error(`${kind} bench server exited with ${code}`)));
  });
}

async function drive(url: string, seconds: number): Promise<CannonResult> {
  return autocannon({ url: `${url}/bench/item`, connections: 50, pipelining: 1, duration: seconds, headers: { authorization: TOKEN } });
}

async function measure(kind: HttpAdapterKind, seconds: number): Promise<{ rps: number; p99: number; errors: number }> {
  const { child, url } = await startServer(kind);
  try {
    await drive(url, 1); // warm-up: JIT and connection set-up are not what we compare
    const result = await drive(url, seconds);
    return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
  } finally {
    child.kill('SIGTERM');
  }
}

export const httpAdapterSuite: Suite = {
  name: 'http-adapter',
  description: 'Express vs Fastify: the same guarded JSON GET under autocannon (50 connections)',
  async run(ctx): Promise<Metric[]> {
    const seconds = Number(process.env.BENCH_SECONDS ?? 5);
    const samples = new Map<HttpAdapterKind, { rps: number[]; p99: number[] }>(HTTP_ADAPTER_KINDS.map((k) => [k, { rps: [], p99: [] }]));
    for (let round = 0; round < ctx.rounds; round += 1) {
      for (const kind of round % 2 ? [...HTTP_ADAPTER_KINDS].reverse() : HTTP_ADAPTER_KINDS) {
        const r = await measure(kind, seconds);
        if (r.errors > 0) throw new Error(`${kind}: ${r.errors} failed requests in round ${round + 1}`);
        samples.get(kind)!.rps.push(r.rps);
        samples.get(kind)!.p99.push(r.p99);
        ctx.log(`round ${round + 1} ${kind}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms`);
      }
    }
    return HTTP_ADAPTER_KINDS.flatMap((kind) => [
      metric(`${kind} throughput`, 'req/s', samples.get(kind)!.rps),
      metric(`${kind} latency p99`, 'ms', samples.get(kind)!.p99),
    ]);
  },
};

async function main(): Promise<void> {
  const [mode, kind] = process.argv.slice(2);
  if (mode === 'serve') return serve(kind as HttpAdapterKind);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const metrics = await httpAdapterSuite.run({
    serverUrl: '',
    rounds,
    freshDatabase: () => Promise.reject(new Error('not needed')),
    log: (l) => console.log(`  ${l}`),
  });
  for (const m of metrics)
    console.log(`${m.name}: median ${m.median.toFixed(1)} ${m.unit} (samples ${m.samples.map((s) => s.toFixed(1)).join(', ')})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

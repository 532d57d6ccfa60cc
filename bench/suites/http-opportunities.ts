import 'reflect-metadata';
import { Global, Module } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import pg from 'pg';
import { loadConfig, MEMBERSHIP_CACHE_TTL, VERIFIED_TOKEN_CACHE_ENTRIES } from '#api';
import { createApp } from '#api';
import { FeatureDepsModule, RevenueModule } from '#api';
import { createDatabasePool, projectRoot, sql } from '#database';
import { PostgresEventStore } from '#event-store';
import { createLogger } from '#observability';
import { RevenueCommandsModule, systemClock } from '#revenue-commands';
import { defaultRuleSet } from '#revenue';
import { metric, openBenchServer, type Metric, type Suite } from '../harness.js';

/**
 * Issue 4: GET /api/revenue/opportunities (JWT, org resolution, RLS transaction, DTO
 * validation, logging) against a bare node:http + pg handler running the same SELECT inside
 * the same RLS transaction, over an org with 1,000 opportunities. Each server runs alone in
 * a child process with a pool of 10; autocannon drives it from this process.
 *
 *   node dist/bench/suites/http-opportunities.js   (standalone after a build; DATABASE_URL, BENCH_ROUNDS, BENCH_SECONDS)
 */
const OPPORTUNITIES = 1000;
const PAGE = 50;
const CONNECTIONS = 10;
const FIXED_RATE = 500;
/**
 * api: the API as it is; api-nojwtcache: without the guard's verified-token cache (every
 * request runs the HS256 verification); api-nocache: without that and without the membership
 * cache (every request asks user_organizations); api-head: also with slonik's DISCARD ALL on every release (the pool as
 * before issue 12's changes); bare: the floor, which asks for the membership as the uncached API does.
 */
const KINDS = ['api', 'api-nojwtcache', 'api-nocache', 'api-head', 'bare'] as const;
type Kind = (typeof KINDS)[number];
type ApiKind = Exclude<Kind, 'bare'>;
const API_KINDS = KINDS.filter((k): k is ApiKind => k !== 'bare');

interface CannonResult {
  readonly requests: { readonly average: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly errors: number;
  readonly non2xx: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
  overallRate?: number;
}) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface Target {
  readonly databaseUrl: string;
  readonly secret: string;
  readonly orgId: string;
  readonly userId: string;
}

/** One org, its owner, 1,000 opportunities (one open per type, the rest closed: the domain's rule). */
async function seed(databaseUrl: string): Promise<Omit<Target, 'secret' | 'databaseUrl'>> {
  const pool = await createDatabasePool(databaseUrl);
  const orgId = randomUUID();
  const userId = randomUUID();
  const types = ['upsell', 'cross_sell', 'feature_expansion', 'retention_intervention', 'credit_marketplace_offer'];
  try {
    await pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'bench org')`);
    await pool.query(sql.unsafe`INSERT INTO user_organizations (user_id, org_id, role) VALUES (${userId}, ${orgId}, 'owner')`);
    const rows = Array.from({ length: OPPORTUNITIES }, (_, i) => [
      orgId,
      types[i % types.length]!,
      'usage_analysis',
      (Math.round(Math.random() * 10_000) / 10_000).toString(),
      i < types.length ? 'open' : 'expired',
      JSON.stringify({ currentTier: 1, suggestedTier: 2, monthlyTokens: 50_000 + i }),
    ]);
    await pool.query(sql.unsafe`
      INSERT INTO revenue_opportunities (org_id, type, source, confidence, status, details)
      SELECT org_id, type, source, confidence::numeric, status, details::jsonb
      FROM ${sql.unnest(rows, ['uuid', 'text', 'text', 'text', 'text', 'text'])} AS t(org_id, type, source, confidence, status, details)`);
    await pool.query(sql.unsafe`ANALYZE revenue_opportunities`);
  } finally {
    await pool.end();
  }
  return { orgId, userId };
}

/** The real app, as main.ts builds it (logs at info, to /dev/null: formatting them is part of the cost). */
async function serveApi(target: Target, kind: ApiKind): Promise<string> {
  const pool = await createDatabasePool(target.databaseUrl, { resetSessionOnRelease: kind === 'api-head' });
  const store = new PostgresEventStore({ pool, connectionUrl: target.databaseUrl });
  const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: target.secret, RATE_LIMIT: '100000000', LOG_LEVEL: 'info' });
  const app = await createApp({
    config,
    pool,
    logger: createLogger({ level: 'info', destination: createWriteStream('/dev/null') }),
    modules: [
      RevenueCommandsModule.forRoot({ store, pool, clock: systemClock, ruleSet: defaultRuleSet }),
      // No X-Min-Position in the bench, so the waiter is never asked.
      FeatureDepsModule.forRoot({ store, ruleSet: defaultRuleSet, projections: { waitFor: async () => true } }),
      RevenueModule,
      ...(kind === 'api' ? [] : kind === 'api-nojwtcache' ? [NoTokenCache] : [NoTokenCache, NoMembershipCache]),
    ],
  });
  await app.listen(0, '127.0.0.1');
  return app.getUrl();
}

/** Turns the membership cache off (the OrgResolver reads MEMBERSHIP_CACHE_TTL from any global module). */
@Global()
@Module({ providers: [{ provide: MEMBERSHIP_CACHE_TTL, useValue: 0 }], exports: [MEMBERSHIP_CACHE_TTL] })
class NoMembershipCache {}

/** Turns the access guard's verified-token cache off. */
@Global()
@Module({ providers: [{ provide: VERIFIED_TOKEN_CACHE_ENTRIES, useValue: 0 }], exports: [VERIFIED_TOKEN_CACHE_ENTRIES] })
class NoTokenCache {}

const MEMBERSHIP_SQL = `SELECT role FROM user_organizations WHERE user_id = $1 AND org_id = $2`;
const BARE_SQL = `SELECT id, type, source, confidence, details, status, evidence, rule_set_version, created_at, updated_at, closed_at
  FROM revenue_opportunities WHERE org_id = $1 ORDER BY confidence DESC, id DESC LIMIT $2`;

/**
 * The floor: no framework, no JWT, no validation, no logging; the membership check the API must
 * make (its own query on the pool, as the uncached API asks it), then the same RLS transaction and SELECT.
 */
async function serveBare(target: Target): Promise<string> {
  const pool = new pg.Pool({ connectionString: target.databaseUrl, max: 10 });
  const claims = JSON.stringify({ sub: target.userId, role: 'authenticated' });
  const server = createServer((req, res) => {
    void (async () => {
      const membership = await pool.query<{ role: string }>(MEMBERSHIP_SQL, [target.userId, target.orgId]);
      const role = membership.rows[0]?.role;
      if (role !== 'owner' && role !== 'admin') {
        res.writeHead(404).end();
        return;
      }
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [claims]);
        const { rows } = await client.query(BARE_SQL, [target.orgId, PAGE + 1]);
        await client.query('COMMIT');
        const page = rows.slice(0, PAGE).map((r) => ({ ...r, confidence: Number(r.confidence) }));
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ success: true, opportunities: page, nextCursor: rows.length > PAGE ? 'x' : null }));
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        res.writeHead(500).end(String(error));
      } finally {
        client.release();
      }
    })();
    void req;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

function startServer(kind: Kind, target: Target): Promise<{ child: ChildProcess; url: string }> {
  // BENCH_CPU_PROF_DIR: each server writes a V8 CPU profile there when it is stopped (node --cpu-prof).
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`, `--cpu-prof-name=${kind}-${Date.now()}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...process.execArgv, ...profile, fileURLToPath(import.meta.url), 'serve', kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_TARGET: JSON.stringify(target) },
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (url) => resolve({ child, url: url.replace('[::1]', '127.0.0.1') }));
    child.once('exit', (code) => reject(new Error(`${kind} bench server exited with ${code}`)));
  });
}

interface Measured {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly p99AtFixedRate: number;
}

async function measure(kind: Kind, target: Target, token: string, seconds: number): Promise<Measured> {
  const { child, url } = await startServer(kind, target);
  const options = {
    url: `${url}/api/revenue/opportunities?limit=${PAGE}`,
    connections: CONNECTIONS,
    headers: { authorization: `Bearer ${token}`, 'x-org-id': target.orgId },
  };
  const check = (r: CannonResult, what: string) => {
    if (r.errors + r.non2xx > 0) throw new Error(`${kind} ${what}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
    return r;
  };
  try {
    check(await autocannon({ ...options, duration: 1 }), 'warm-up'); // JIT, pool connections
    const load = check(await autocannon({ ...options, duration: seconds }), 'throughput');
    const fixed = check(await autocannon({ ...options, duration: seconds, overallRate: FIXED_RATE }), `${FIXED_RATE} req/s`);
    return { rps: load.requests.average, p50: load.latency.p50, p99: load.latency.p99, p99AtFixedRate: fixed.latency.p99 };
  } finally {
    child.kill('SIGTERM');
  }
}

export const httpOpportunities: Suite = {
  name: 'http-opportunities',
  description: `GET /api/revenue/opportunities (page of ${PAGE} from ${OPPORTUNITIES.toLocaleString('en-US')}) on the real API vs a bare node:http + pg handler, same RLS SQL; autocannon, ${CONNECTIONS} connections`,
  async run(ctx): Promise<Metric[]> {
    const seconds = Number(process.env.BENCH_SECONDS ?? 5);
    const databaseUrl = await ctx.freshDatabase();
    const secret = randomBytes(32).toString('hex');
    const target: Target = { databaseUrl, secret, ...(await seed(databaseUrl)) };
    const token = await new SignJWT({ sub: target.userId, role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience('authenticated')
      .setExpirationTime('2h')
      .sign(new TextEncoder().encode(secret));
    const samples = new Map<Kind, Measured[]>(KINDS.map((k) => [k, []]));
    const ratios = new Map<ApiKind, number[]>(API_KINDS.map((k) => [k, []]));
    for (let round = 0; round < ctx.rounds; round += 1) {
      // Alternate the order so drift on a shared machine hits both alike.
      for (const kind of round % 2 ? [...KINDS].reverse() : KINDS) {
        const m = await measure(kind, target, token, seconds);
        samples.get(kind)!.push(m);
        ctx.log(
          `round ${round + 1} ${kind}: ${Math.round(m.rps)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms; p99 at ${FIXED_RATE} req/s ${m.p99AtFixedRate} ms`,
        );
      }
      for (const k of API_KINDS) ratios.get(k)!.push((100 * samples.get(k)![round]!.rps) / samples.get('bare')![round]!.rps);
    }
    const of = (kind: Kind, pick: (m: Measured) => number) => samples.get(kind)!.map(pick);
    return [
      metric(
        'api throughput',
        'req/s',
        of('api', (m) => m.rps),
      ),
      metric(
        'bare throughput',
        'req/s',
        of('bare', (m) => m.rps),
      ),
      metric('api / bare throughput', '%', ratios.get('api')!, { target: '>= 70' }),
      metric(
        'api latency p50',
        'ms',
        of('api', (m) => m.p50),
      ),
      metric(
        'api latency p99',
        'ms',
        of('api', (m) => m.p99),
      ),
      metric(
        'bare latency p50',
        'ms',
        of('bare', (m) => m.p50),
      ),
      metric(
        'bare latency p99',
        'ms',
        of('bare', (m) => m.p99),
      ),
      metric(
        `api latency p99 at ${FIXED_RATE} req/s`,
        'ms',
        of('api', (m) => m.p99AtFixedRate),
        { target: '< 20' },
      ),
      metric(
        `bare latency p99 at ${FIXED_RATE} req/s`,
        'ms',
        of('bare', (m) => m.p99AtFixedRate),
      ),
      ...API_KINDS.filter((k) => k !== 'api').flatMap((k) => [
        metric(
          `${k} throughput`,
          'req/s',
          of(k, (m) => m.rps),
        ),
        metric(`${k} / bare throughput`, '%', ratios.get(k)!),
        metric(
          `${k} latency p99 at ${FIXED_RATE} req/s`,
          'ms',
          of(k, (m) => m.p99AtFixedRate),
        ),
      ]),
    ];
  },
};

/**
 * Issue 10: the same reads for a principal who is owner or admin of 25,000 orgs (a platform
 * operator), under migration 113's RLS policies and, on the same database and data, under 103's
 * (113's Down section puts them back: the database as migrated to 112). Sequential requests (one
 * connection) give the p50 a user sees; a fixed 100 req/s over 10 connections gives the p99.
 */
const LARGE_ORGS = 25_000;
const LARGE_RATE = 100;
type Policy = '103' | '113';
const READS = { opportunities: `/api/revenue/opportunities?limit=${PAGE}`, expansion: '/api/revenue/expansion' } as const;
type Read = keyof typeof READS;

/** The bench org (1,000 opportunities) and 24,999 more, all owned or administered by its owner. */
async function seedLargePrincipal(databaseUrl: string): Promise<Omit<Target, 'secret' | 'databaseUrl'>> {
  const target = await seed(databaseUrl);
  const pool = await createDatabasePool(databaseUrl);
  try {
    // Every other org has its own member and one open opportunity, so the tables are not all this user's.
    await pool.query(sql.unsafe`
      WITH created AS (
        INSERT INTO organizations (name) SELECT 'bench org ' || g FROM generate_series(2, ${LARGE_ORGS}) g RETURNING id),
      memberships AS (
        INSERT INTO user_organizations (user_id, org_id, role)
        SELECT ${target.userId}, id, CASE WHEN row_number() OVER () % 2 = 0 THEN 'owner' ELSE 'admin' END FROM created
        UNION ALL SELECT gen_random_uuid(), id, 'member' FROM created)
      INSERT INTO revenue_opportunities (org_id, type, source, confidence, status)
      SELECT id, 'upsell', 'usage_analysis', 0.5, 'open' FROM created`);
    await pool.query(sql.unsafe`ANALYZE organizations, user_organizations, revenue_opportunities`);
  } finally {
    await pool.end();
  }
  return target;
}

/** Installs one policy version: 113's Up section, or its Down section (103's policies, as at 112). */
async function usePolicies(databaseUrl: string, policy: Policy): Promise<void> {
  const text = readFileSync(join(projectRoot(), 'migrations', '113_rls_membership_probe.sql'), 'utf8');
  const [up, down] = text.split('-- Down Migration');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`BEGIN; ${policy === '113' ? up : down}; COMMIT`);
  } finally {
    await client.end();
  }
}

interface LargeMeasured {
  readonly p50: Record<Read, number>;
  readonly p99AtRate: Record<Read, number>;
}

async function measureLarge(target: Target, token: string, seconds: number, kind: ApiKind): Promise<LargeMeasured> {
  const { child, url } = await startServer(kind, target);
  const headers = { authorization: `Bearer ${token}`, 'x-org-id': target.orgId };
  const run = async (read: Read, options: { connections: number; duration: number; overallRate?: number }) => {
    const r = await autocannon({ url: `${url}${READS[read]}`, headers, ...options });
    if (r.errors + r.non2xx > 0) throw new Error(`large principal ${read}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
    return r.latency;
  };
  try {
    const p50 = {} as Record<Read, number>;
    const p99AtRate = {} as Record<Read, number>;
    for (const read of Object.keys(READS) as Read[]) {
      // JIT, and all the pool's connections (a fresh PostgreSQL backend's first query pays for its caches).
      await run(read, { connections: CONNECTIONS, duration: 1 });
      p50[read] = (await run(read, { connections: 1, duration: seconds })).p50;
      p99AtRate[read] = (await run(read, { connections: CONNECTIONS, duration: seconds, overallRate: LARGE_RATE })).p99;
    }
    return { p50, p99AtRate };
  } finally {
    child.kill('SIGTERM');
  }
}

/** Who reads under which policies: the large principal before and after, and a one-org owner as the control. */
const LARGE_VARIANTS = [
  { label: 'policies 103', policy: '103', principal: 'large' },
  { label: 'policies 113', policy: '113', principal: 'large' },
  { label: 'policies 113, owner of 1 org', policy: '113', principal: 'small' },
  // The API without issue 12's changes (membership query on every request, DISCARD ALL on every release).
  { label: 'policies 113, API as before issue 12', policy: '113', principal: 'large', kind: 'api-head' },
] as const;

export const httpLargePrincipal: Suite = {
  name: 'http-large-principal',
  description: `GET /api/revenue/opportunities and /expansion for an owner/admin of ${LARGE_ORGS.toLocaleString('en-US')} orgs, RLS policies of 113 vs 103 on the same data (and a 1-org owner as control); p50 of sequential requests, p99 at ${LARGE_RATE} req/s over ${CONNECTIONS} connections`,
  async run(ctx): Promise<Metric[]> {
    const seconds = Number(process.env.BENCH_SECONDS ?? 5);
    const databaseUrl = await ctx.freshDatabase();
    const secret = randomBytes(32).toString('hex');
    const target: Target = { databaseUrl, secret, ...(await seedLargePrincipal(databaseUrl)) };
    const smallUser = randomUUID();
    const pool = await createDatabasePool(databaseUrl);
    await pool.query(sql.unsafe`INSERT INTO user_organizations (user_id, org_id, role) VALUES (${smallUser}, ${target.orgId}, 'owner')`);
    await pool.end();
    const sign = (sub: string) =>
      new SignJWT({ sub, role: 'authenticated' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setAudience('authenticated')
        .setExpirationTime('2h')
        .sign(new TextEncoder().encode(secret));
    const tokens = { large: await sign(target.userId), small: await sign(smallUser) };
    const samples = new Map<string, LargeMeasured[]>(LARGE_VARIANTS.map((v) => [v.label, []]));
    for (let round = 0; round < ctx.rounds; round += 1) {
      // Alternate the order so drift on a shared machine hits every variant alike.
      for (const variant of round % 2 ? [...LARGE_VARIANTS].reverse() : LARGE_VARIANTS) {
        await usePolicies(databaseUrl, variant.policy);
        const m = await measureLarge(target, tokens[variant.principal], seconds, 'kind' in variant ? variant.kind : 'api');
        samples.get(variant.label)!.push(m);
        ctx.log(
          `round ${round + 1} ${variant.label}: p50 opportunities ${m.p50.opportunities} ms, expansion ${m.p50.expansion} ms; p99 at ${LARGE_RATE} req/s opportunities ${m.p99AtRate.opportunities} ms, expansion ${m.p99AtRate.expansion} ms`,
        );
      }
    }
    await usePolicies(databaseUrl, '113');
    return LARGE_VARIANTS.flatMap((variant) =>
      (Object.keys(READS) as Read[]).flatMap((read) => {
        const of = (pick: (m: LargeMeasured) => number) => samples.get(variant.label)!.map(pick);
        const goal = (t: string) => (variant.label === 'policies 113' ? { target: t } : {});
        return [
          metric(
            `${read} p50, sequential (${variant.label})`,
            'ms',
            of((m) => m.p50[read]),
            goal('< 20'),
          ),
          metric(
            `${read} p99 at ${LARGE_RATE} req/s (${variant.label})`,
            'ms',
            of((m) => m.p99AtRate[read]),
            goal('< 50'),
          ),
        ];
      }),
    );
  },
};

async function serve(kind: Kind): Promise<void> {
  // Exit on SIGTERM (not die by it), so a --cpu-prof profile gets written.
  process.once('SIGTERM', () => process.exit(0));
  const target = JSON.parse(process.env.BENCH_TARGET ?? '{}') as Target;
  const url = kind === 'bare' ? await serveBare(target) : await serveApi(target, kind);
  process.stdout.write(`${url}\n`);
}

/** Standalone: the suite alone, printed, without touching bench/results. */
async function main(): Promise<void> {
  const { ctx, cleanup } = await openBenchServer();
  try {
    for (const m of await httpOpportunities.run(ctx)) {
      console.log(
        `${m.name}: median ${m.median.toFixed(1)} ${m.unit} (samples ${m.samples.map((v) => v.toFixed(1)).join(', ')})${m.target ? `; target ${m.target}` : ''}`,
      );
    }
  } finally {
    await cleanup();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  (process.argv[2] === 'serve' ? serve(process.argv[3] as Kind) : main()).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

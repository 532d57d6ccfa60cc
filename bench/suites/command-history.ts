import { performance } from 'node:perf_hooks';
import { createDatabasePool, sql } from '#database';
import { PostgresEventStore, PostgresSnapshotStore, withMetadata } from '#event-store';
import { executeOnOrg, type RevenueDeps } from '#revenue-commands';
import { decide, defaultRuleSet, revenueStreamName, type Detection, type RevenueEvent } from '#revenue';
import { metric, type BenchContext, type Metric, type Suite } from '../harness.js';

const LONG = 10_000;
const SHORT = 10;
const COMMANDS = 200;
const WARM_UP = 10;
const AS_OF = new Date('2026-12-01T00:00:00.000Z');

const detection = (confidence: number): Detection => ({
  type: 'upsell',
  source: 'usage_analysis',
  confidence,
  details: { currentTier: 1 },
  evidence: {},
  ruleSetVersion: defaultRuleSet.version,
});

/**
 * Issue 13: a command on an org stream of 10,000 events against one of 10 (a detection once,
 * then refreshes, as an hourly sweep writes them), with and without snapshots, alternated in
 * one run. The command is a real one through executeOnOrg: a detection with new numbers, which
 * refreshes the open opportunity (one event appended each time). Each short-stream command gets
 * a stream of its own, so every one of them meets exactly 10 events; the long stream grows by
 * the commands run on it (a few hundred on 10,000).
 */
export const commandHistory: Suite = {
  name: 'command-history',
  description: `a command on a ${LONG.toLocaleString('en-US')}-event org stream versus a ${SHORT}-event one, snapshots on and off`,
  async run(ctx: BenchContext): Promise<Metric[]> {
    const url = await ctx.freshDatabase();
    const pool = await createDatabasePool(url, { maximumPoolSize: 4 });
    const store = new PostgresEventStore({ pool, connectionUrl: url });
    try {
      const long = crypto.randomUUID();
      const shorts = Array.from({ length: (COMMANDS * ctx.rounds + WARM_UP) * 2 }, () => crypto.randomUUID());
      await pool.query(sql.unsafe`
        INSERT INTO organizations (id, name) SELECT id, 'bench' FROM unnest(${sql.array([long, ...shorts], 'uuid')}) AS id`);
      await seedStream(store, long, LONG);
      for (const orgId of shorts) await seedStream(store, orgId, SHORT);
      ctx.log(`seed: one stream of ${LONG} events, ${shorts.length} of ${SHORT}`);
      const nextShort = () => shorts.pop()!;
      const plain: RevenueDeps = { store, pool, clock: { now: () => AS_OF }, ruleSet: defaultRuleSet };
      const withSnapshots: RevenueDeps = { ...plain, snapshots: new PostgresSnapshotStore(pool) };
      let confidence = 0.5;
      const command = (deps: RevenueDeps, orgId: string) => {
        confidence = confidence >= 0.99 ? 0.5 : Math.round((confidence + 0.01) * 100) / 100;
        const c = confidence;
        return executeOnOrg(deps, orgId, 'Bench', { actor: { kind: 'system', id: 'bench' }, correlationId: 'bench' }, (state, dctx) =>
          decide({ kind: 'RecordDetections', orgId, detections: [detection(c)] }, state, dctx),
        );
      };
      // Warm up (and take the long stream's first snapshot).
      for (let i = 0; i < WARM_UP; i++)
        for (const deps of [plain, withSnapshots]) for (const org of [nextShort(), long]) await command(deps, org);
      const results: Record<string, number[]> = {
        'short, snapshots': [],
        'long, snapshots': [],
        'short, no snapshots': [],
        'long, no snapshots': [],
      };
      const ratios: number[] = [];
      const plainRatios: number[] = [];
      for (let round = 1; round <= ctx.rounds; round++) {
        const times: Record<string, number[]> = {
          'short, snapshots': [],
          'long, snapshots': [],
          'short, no snapshots': [],
          'long, no snapshots': [],
        };
        for (let i = 0; i < COMMANDS; i++) {
          // Alternated: each variant in turn, so drift on a noisy machine falls on all of them.
          for (const [label, deps, orgId] of [
            ['short, snapshots', withSnapshots, nextShort()],
            ['long, snapshots', withSnapshots, long],
            ['short, no snapshots', plain, nextShort()],
            ['long, no snapshots', plain, long],
          ] as const) {
            const started = performance.now();
            await command(deps, orgId);
            times[label]!.push(performance.now() - started);
          }
        }
        const p50 = (label: string) => medianOf(times[label]!);
        for (const label of Object.keys(times)) results[label]!.push(p50(label));
        ratios.push(p50('long, snapshots') / p50('short, snapshots'));
        plainRatios.push(p50('long, no snapshots') / p50('short, no snapshots'));
        ctx.log(
          `round ${round}: p50 ms ${Object.keys(times)
            .map((l) => `${l} ${p50(l).toFixed(2)}`)
            .join('; ')}; long/short ${ratios.at(-1)!.toFixed(2)} with snapshots, ${plainRatios.at(-1)!.toFixed(2)} without`,
        );
      }
      return [
        metric(`command p50 on a ${LONG}-event stream / on a ${SHORT}-event stream, snapshots`, 'x', ratios, { target: '<= 2' }),
        metric('the same ratio without snapshots (for comparison)', 'x', plainRatios),
        ...Object.entries(results).map(([label, samples]) => metric(`command p50, ${label}`, 'ms', samples)),
      ];
    } finally {
      await store.close();
      await pool.end();
    }
  },
};

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** One detection, then refreshes with new numbers, appended 1,000 at a time. */
async function seedStream(store: PostgresEventStore, orgId: string, length: number): Promise<void> {
  const opportunityId = crypto.randomUUID();
  const base = {
    orgId,
    opportunityId,
    opportunityType: 'upsell' as const,
    source: 'usage_analysis',
    details: {},
    evidence: {},
    ruleSetVersion: defaultRuleSet.version,
  };
  const events: RevenueEvent[] = [
    { type: 'revenue.opportunity-detected.v1', data: { ...base, confidence: 0.5, detectedAt: AS_OF.toISOString() } },
    ...Array.from({ length: length - 1 }, (_, i): RevenueEvent => ({
      type: 'revenue.opportunity-refreshed.v1',
      data: { ...base, confidence: 0.5 + ((i % 40) + 1) / 100, refreshedAt: AS_OF.toISOString() },
    })),
  ];
  const context = { command: 'BenchSeed', actor: { kind: 'system' as const, id: 'bench' }, correlationId: 'seed', now: AS_OF };
  for (let at = 0; at < events.length; at += 1_000) {
    await store.append(
      revenueStreamName(orgId),
      withMetadata(events.slice(at, at + 1_000), context),
      at === 0 ? 'no_stream' : BigInt(at - 1),
    );
  }
}

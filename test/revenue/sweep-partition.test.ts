import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { SweepFleet, loadUsageSummaries, type SweepResult } from '#revenue-commands';
import { defaultRuleSet } from '#revenue';
import { fixedOrgId, normalise as normaliseWith, revenueEvents, type StoredEvent } from './support/org-streams.js';
import { AS_OF, createRevenueHarness, type RevenueHarness } from './support/revenue-harness.js';

const DAY_MS = 86_400_000;
const ORGS = 60;
const PARTS = 4;

/** Fixed ids, so every database holds the same fleet and the same shares. */
const orgIds = Array.from({ length: ORGS }, (_, i) => fixedOrgId('sweep-partition', i));
const normalise = (events: readonly StoredEvent[]) => normaliseWith(events, orgIds);

/** Usage by profile (i % 6): four types, growing, declining, heavy voice, idle, heavy without a wallet; balances vary. */
function usageOf(i: number, daysAgo: number): { text: number; voice: number } {
  const scale = 1 + (i % 5) / 4;
  switch (i % 6) {
    case 0:
      return { text: Math.round((daysAgo > 30 ? 4_000 : 1_700) * scale), voice: 0 };
    case 1:
      return { text: Math.round((daysAgo > 30 ? 500 : 800) * scale), voice: 0 };
    case 2:
      return { text: daysAgo > 30 ? 1_000 : 300, voice: 0 };
    case 3:
      return { text: 100, voice: Math.round(20 * scale) };
    case 4:
      return { text: 0, voice: 0 };
    default:
      return { text: 1_800, voice: 0 };
  }
}

async function seedFleet(h: RevenueHarness): Promise<void> {
  const usage: Array<[string, string, number, number]> = [];
  for (let i = 0; i < ORGS; i++) {
    await h.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgIds[i]!}, ${`partition org ${i}`})`);
    if (i % 6 !== 5) {
      const balance = [0, 0.05, 10, 100][i % 4]!;
      await h.db.pool.query(
        sql.unsafe`INSERT INTO token_wallets (org_id, tier, balance) VALUES (${orgIds[i]!}, ${1 + (i % 3)}, ${balance})`,
      );
    }
    const days = i % 6 === 4 ? 0 : 60;
    for (let d = 1; d <= days; d++) {
      const { text, voice } = usageOf(i, d);
      usage.push([orgIds[i]!, new Date(AS_OF.getTime() - d * DAY_MS + 3_600_000).toISOString(), text, voice]);
    }
  }
  await h.db.pool.query(sql.unsafe`
    INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used)
    SELECT * FROM ${sql.unnest(usage, ['uuid', 'timestamptz', 'int8', 'int8'])}`);
}

/** Between rounds: the declining orgs recover (their retention opportunity expires), the growing ones grow further. */
async function changeUsage(h: RevenueHarness): Promise<void> {
  await h.db.pool.query(sql.unsafe`
    UPDATE token_usage SET text_tokens_used = 1000 WHERE org_id = ANY(${sql.array(
      orgIds.filter((_, i) => i % 6 === 2),
      'uuid',
    )})`);
  await h.db.pool.query(sql.unsafe`
    UPDATE token_usage SET text_tokens_used = text_tokens_used * 3
    WHERE org_id = ANY(${sql.array(
      orgIds.filter((_, i) => i % 6 === 1),
      'uuid',
    )}) AND period_start >= ${new Date(AS_OF.getTime() - 30 * DAY_MS).toISOString()}::timestamptz`);
}

const sweepPart = (h: RevenueHarness, index: number) =>
  h.commands.execute(new SweepFleet(h.meta({ correlationId: `partition-${index}-${Date.now()}` }), 4, { index, count: PARTS }));

/** Both rounds, each partition's share swept by `runRound`; returns the results of every sweep. */
async function twoRounds(h: RevenueHarness, runRound: () => Promise<SweepResult[]>): Promise<SweepResult[][]> {
  const rounds: SweepResult[][] = [];
  for (let round = 0; round < 2; round++) {
    if (round === 1) await changeUsage(h);
    const results = await runRound();
    for (const r of results) await h.caughtUp(r.position);
    rounds.push(results);
  }
  return rounds;
}

describe('fleet sweep by partition (N workers, disjoint shares of the orgs by hash of the org id)', () => {
  let full: RevenueHarness;
  let sequential: RevenueHarness;
  let concurrent: RevenueHarness;
  const results: Record<'full' | 'sequential' | 'concurrent', SweepResult[][]> = { full: [], sequential: [], concurrent: [] };
  beforeAll(async () => {
    [full, sequential, concurrent] = await Promise.all([createRevenueHarness(), createRevenueHarness(), createRevenueHarness()]);
    await Promise.all([full, sequential, concurrent].map(seedFleet));
    results.full = await twoRounds(full, async () => [await full.commands.execute(new SweepFleet(full.meta(), 4))]);
    results.sequential = await twoRounds(sequential, async () => {
      const out: SweepResult[] = [];
      for (let index = 0; index < PARTS; index++) out.push(await sweepPart(sequential, index));
      return out;
    });
    results.concurrent = await twoRounds(concurrent, () => Promise.all(Array.from({ length: PARTS }, (_, i) => sweepPart(concurrent, i))));
  }, 300_000);
  afterAll(async () => Promise.all([full, sequential, concurrent].map((h) => h?.close())));

  it('gives every org to exactly one partition, and every partition some orgs', async () => {
    const shares = await Promise.all(
      Array.from({ length: PARTS }, (_, index) => loadUsageSummaries(full.db.pool, AS_OF, defaultRuleSet, null, { index, count: PARTS })),
    );
    const swept = shares.flatMap((s) => s.map((u) => u.orgId));
    expect([...swept].sort()).toEqual([...orgIds].sort()); // no org twice, none missing
    for (const share of shares) expect(share.length).toBeGreaterThan(0);
    // Within an explicit org list the partition still applies.
    const firstTen = orgIds.slice(0, 10);
    const zeroOfList = await loadUsageSummaries(full.db.pool, AS_OF, defaultRuleSet, firstTen, { index: 0, count: PARTS });
    expect(zeroOfList.map((u) => u.orgId)).toEqual(shares[0]!.map((u) => u.orgId).filter((id) => firstTen.includes(id)));
    // The sweeps counted the same: each round's partitions together decided the whole fleet once.
    for (const mode of ['sequential', 'concurrent'] as const) {
      for (const round of results[mode]) expect(round.reduce((n, r) => n + r.orgs, 0)).toBe(ORGS);
    }
  });

  it('run one after another, the partitions write exactly what one full sweep writes', async () => {
    const expected = normalise(await revenueEvents(full));
    expect(expected.size).toBeGreaterThan(ORGS / 2); // most orgs got events: the comparison is not vacuous
    const types = new Set([...expected.values()].flat().map((e) => (e as [string])[0]));
    for (const t of ['revenue.opportunity-detected.v1', 'revenue.action-proposed.v1', 'revenue.opportunity-closed.v1']) {
      expect(types.has(t)).toBe(true);
    }
    expect(normalise(await revenueEvents(sequential))).toEqual(expected);
  });

  it('run concurrently (Promise.all), the partitions write exactly what one full sweep writes', async () => {
    expect(normalise(await revenueEvents(concurrent))).toEqual(normalise(await revenueEvents(full)));
    for (const round of results.concurrent) expect(round.reduce((n, r) => n + r.conflictsRetried, 0)).toBe(0); // disjoint: no contention
  });

  it("writes each org's events under one partition's sweep only", async () => {
    for (const h of [sequential, concurrent]) {
      const partitionsByStream = new Map<string, Set<string>>();
      for (const e of await revenueEvents(h)) {
        const partition = e.correlationId.split('-').slice(0, 2).join('-');
        partitionsByStream.set(e.stream, (partitionsByStream.get(e.stream) ?? new Set()).add(partition));
      }
      for (const partitions of partitionsByStream.values()) expect(partitions.size).toBe(1);
      expect(new Set([...partitionsByStream.values()].flatMap((s) => [...s])).size).toBe(PARTS);
    }
  });

  it('refuses partitions that are not integers 0 <= index < count <= 1024', () => {
    const meta = full.meta();
    for (const bad of [
      { index: 4, count: 4 },
      { index: -1, count: 2 },
      { index: 0, count: 0 },
      { index: 0.5, count: 2 },
      { index: 0, count: 1.5 },
      { index: 0, count: 1025 },
      { index: Number.NaN, count: 2 },
    ]) {
      expect(() => new SweepFleet(meta, 10, bad)).toThrow(RangeError);
    }
    expect(new SweepFleet(meta, 10, { index: 1023, count: 1024 }).partition).toEqual({ index: 1023, count: 1024 });
    expect(new SweepFleet(meta).partition).toBeUndefined();
  });
});

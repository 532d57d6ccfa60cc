import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { comparePositions, parsePosition } from '#event-store';
import { OrgCommand, SweepFleet, advanceSweepWindows, loadUsageSummaries, type SweepResult } from '#revenue-commands';
import { holdoutRuleSet, type RuleSet, type UsageWindow } from '#revenue';
import { fixedOrgId, normalise, revenueEvents } from './support/org-streams.js';
import { AS_OF, createRevenueHarness, type RevenueHarness } from './support/revenue-harness.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const ORGS = 72;
const orgIds = Array.from({ length: ORGS }, (_, i) => fixedOrgId('sweep-incremental', i));
const INCREMENTAL = { fullEveryMs: 365 * DAY_MS };

/**
 * The holdout rules with a larger control group and at most two actions per run, so that an org
 * can have opportunities left waiting for the next run and held-out ones that never get one.
 */
const RULES: RuleSet = {
  ...holdoutRuleSet,
  version: 'sweep-incremental-test.1',
  holdouts: Object.fromEntries(Object.entries(holdoutRuleSet.holdouts!).map(([type, h]) => [type, { ...h, share: 0.25 }])),
  actions: { ...holdoutRuleSet.actions, maxPerRun: 2 },
};

/** A small seeded generator (mulberry32): the same history in both databases, different per org. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type UsageRow = [orgId: string, periodStart: string, text: number, voice: number];

/**
 * 90 days of daily rows before AS_OF: a level, a trend (declining, flat, growing), voice or not,
 * some orgs idle; wallets of tiers 1-3 with balances from nothing to plenty, some orgs without.
 */
function history(): { usage: UsageRow[]; wallets: Array<[string, number, number]> } {
  const usage: UsageRow[] = [];
  const wallets: Array<[string, number, number]> = [];
  orgIds.forEach((orgId, i) => {
    const r = random(i + 1);
    if (i % 12 === 5) {
      // Two heavy days just before AS_OF on tier 1, credits for one action: upsell proposed, the next
      // stopped for credits. The rows stay inside the recent window for weeks, so nothing but time
      // (the upsell's cooldown) changes what a sweep decides for these orgs.
      wallets.push([orgId, 1, 0.02]);
      for (const d of [1, 2]) usage.push([orgId, new Date(AS_OF.getTime() - d * DAY_MS + HOUR_MS).toISOString(), 30_000, 0]);
      return;
    }
    if (i % 9 !== 8) wallets.push([orgId, 1 + (i % 3), [0, 0.02, 0.05, 3, 500][i % 5]!]);
    if (i % 10 === 9) return; // idle
    const level = 200 + r() * 3_000;
    const trend = [-0.6, 0, 0.9][i % 3]!;
    const voice = i % 4 === 0;
    for (let d = 1; d <= 90; d++) {
      const shape = 1 + trend * (d <= 30 ? 1 : 0) - (trend < 0 ? trend * 0.2 : 0);
      usage.push([
        orgId,
        new Date(AS_OF.getTime() - d * DAY_MS + Math.floor(r() * 20) * HOUR_MS).toISOString(),
        Math.round(level * Math.max(shape, 0.05) * (0.5 + r())),
        voice ? Math.round(r() * 12) : 0,
      ]);
    }
  });
  return { usage, wallets };
}

async function insertUsage(h: RevenueHarness, rows: readonly UsageRow[]): Promise<void> {
  if (rows.length === 0) return;
  await h.db.pool.query(sql.unsafe`
    INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used)
    SELECT * FROM ${sql.unnest(rows, ['uuid', 'timestamptz', 'int8', 'int8'])}`);
}

async function seed(h: RevenueHarness): Promise<void> {
  const { usage, wallets } = history();
  await h.db.pool.query(sql.unsafe`
    INSERT INTO organizations (id, name) SELECT id, 'incremental org' FROM unnest(${sql.array(orgIds, 'uuid')}::uuid[]) AS id`);
  await h.db.pool.query(sql.unsafe`
    INSERT INTO token_wallets (org_id, tier, balance) SELECT * FROM ${sql.unnest(wallets, ['uuid', 'int4', 'numeric'])}`);
  await insertUsage(h, usage);
}

const some = (every: number, offset: number) => orgIds.filter((_, i) => i % every === offset);

/** The same changes in both databases between two sweeps; each step names what it exercises. */
const steps: Array<{ name: string; hours: number; change?: (h: RevenueHarness) => Promise<void> }> = [
  { name: 'the first run aggregates everything', hours: 0 },
  {
    name: 'an hour later: new rows now, a backdated row in the previous window, a very old one, an update, a delete',
    hours: 1,
    async change(h) {
      const now = h.clock.now().getTime();
      await insertUsage(h, [
        ...some(7, 0).map((o): UsageRow => [o, new Date(now - 30 * 60_000).toISOString(), 4_000, 0]),
        ...some(7, 1).map((o): UsageRow => [o, new Date(now - 45 * DAY_MS).toISOString(), 9_000, 0]),
        ...some(7, 2).map((o): UsageRow => [o, new Date(now - 200 * DAY_MS).toISOString(), 50_000, 0]),
        ...some(7, 3).map((o): UsageRow => [o, new Date(now + 2 * HOUR_MS).toISOString(), 1, 500]), // future-dated: in recent
      ]);
      await h.db.pool.query(sql.unsafe`
        UPDATE token_usage SET text_tokens_used = text_tokens_used * 4
        WHERE org_id = ANY(${sql.array(some(11, 3), 'uuid')}) AND period_start >= ${new Date(now - 10 * DAY_MS).toISOString()}::timestamptz`);
      await h.db.pool.query(sql.unsafe`
        DELETE FROM token_usage
        WHERE org_id = ANY(${sql.array(some(13, 4), 'uuid')}) AND period_start >= ${new Date(now - 20 * DAY_MS).toISOString()}::timestamptz`);
    },
  },
  {
    name: 'a day later: wallets change (upgrades, top-ups, one removed); proposals approved and sent (charged), or rejected',
    hours: 24,
    async change(h) {
      await h.db.pool.query(sql.unsafe`UPDATE token_wallets SET tier = 3 WHERE org_id = ANY(${sql.array(some(6, 0), 'uuid')})`);
      await h.db.pool.query(sql.unsafe`UPDATE token_wallets SET balance = 900 WHERE org_id = ANY(${sql.array(some(5, 1), 'uuid')})`);
      await h.db.pool.query(sql.unsafe`DELETE FROM token_wallets WHERE org_id = ${orgIds[20]!}`);
      // The heavy tier-1 orgs have their one action charged: their credit stop then waits on its cooldown.
      await decideProposals(h, (i) => (i % 4 === 0 || i % 12 === 5 ? 'approve' : i % 4 === 1 ? 'reject' : null));
    },
  },
  { name: 'eight days later: cooldowns end, the windows slid over eight days of rows', hours: 8 * 24 },
  {
    name: 'three days later: stale proposals expire (not a sweep), a new org starts using the product',
    hours: 3 * 24,
    async change(h) {
      await expireProposals(h, new Date(h.clock.now().getTime() - 2 * DAY_MS));
      const now = h.clock.now().getTime();
      await insertUsage(
        h,
        Array.from({ length: 10 }, (_, d): UsageRow => [orgIds[9]!, new Date(now - d * DAY_MS - HOUR_MS).toISOString(), 9_000, 0]),
      );
    },
  },
  { name: 'forty days later: more than a window, so the sums are aggregated again', hours: 40 * 24 },
  {
    name: 'two hours later: an org deleted, another deleted and created again with new usage',
    hours: 2,
    async change(h) {
      await h.db.pool.query(sql.unsafe`DELETE FROM organizations WHERE id = ${orgIds[30]!}`);
      await h.db.pool.query(sql.unsafe`DELETE FROM organizations WHERE id = ${orgIds[31]!}`);
      await h.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgIds[31]!}, 'again')`);
      const now = h.clock.now().getTime();
      await insertUsage(h, [[orgIds[31]!, new Date(now - HOUR_MS).toISOString(), 20_000, 0]]);
    },
  },
  { name: 'an hour later: nothing changed but time', hours: 1 },
];

/**
 * Approves and reports sent (the charge comes off the wallet), or rejects, each org's first
 * proposed action by type (the same logical action in both databases: the ids differ).
 */
async function decideProposals(h: RevenueHarness, choose: (i: number) => 'approve' | 'reject' | null): Promise<void> {
  const positions: Array<string | null> = [];
  for (const [i, orgId] of orgIds.entries()) {
    const choice = choose(i);
    const actionId = choice
      ? ((await h.db.pool.maybeOneFirst(sql.unsafe`
          SELECT a.id FROM revenue_actions a JOIN revenue_opportunities o ON o.id = a.opportunity_id
          WHERE a.org_id = ${orgId} AND a.status = 'proposed' ORDER BY o.type LIMIT 1`)) as string | null)
      : null;
    if (!actionId) continue;
    const commands =
      choice === 'approve'
        ? [{ kind: 'ApproveAction', orgId, actionId } as const, { kind: 'RecordActionDispatch', orgId, actionId, result: 'sent' } as const]
        : [{ kind: 'RejectAction', orgId, actionId, reason: 'not now' } as const];
    for (const command of commands) positions.push((await h.commands.execute(new OrgCommand(command, h.meta()))).position);
  }
  await caughtUpWith(h, positions);
}

/** Expires the proposals older than `before`, as the scheduler's expiry step does, in an order both databases share. */
async function expireProposals(h: RevenueHarness, before: Date): Promise<void> {
  const stale = (await h.db.pool.any(sql.unsafe`
    SELECT a.org_id, a.id FROM revenue_actions a JOIN revenue_opportunities o ON o.id = a.opportunity_id
    WHERE a.status = 'proposed' AND a.performed_at < ${before.toISOString()}::timestamptz
    ORDER BY a.org_id, o.type`)) as ReadonlyArray<{ org_id: string; id: string }>;
  const positions: Array<string | null> = [];
  for (const { org_id: orgId, id: actionId } of stale) {
    const command = { kind: 'ExpireAction', orgId, actionId, reason: 'stale' } as const;
    positions.push((await h.commands.execute(new OrgCommand(command, h.meta()))).position);
  }
  await caughtUpWith(h, positions);
}

async function caughtUpWith(h: RevenueHarness, positions: ReadonlyArray<string | null>): Promise<void> {
  const last = positions
    .filter((p): p is string => p !== null)
    .sort((a, b) => comparePositions(parsePosition(a)!, parsePosition(b)!))
    .at(-1);
  await h.caughtUp(last);
}

/** The sums the incremental sweep keeps, per org, as the full aggregate computes them. */
async function keptSums(h: RevenueHarness): Promise<Map<string, { recent: UsageWindow; previous: UsageWindow }>> {
  const rows = (await h.db.pool.any(sql.unsafe`
    SELECT w.org_id, w.recent_text, w.recent_voice, w.recent_rows, w.previous_text, w.previous_voice, w.previous_rows
    FROM revenue_sweep_windows w JOIN organizations o ON o.id = w.org_id`)) as ReadonlyArray<Record<string, string | bigint>>;
  const n = (v: string | bigint | undefined) => Number(v);
  return new Map(
    rows.map((r) => [
      String(r.org_id),
      {
        recent: { textTokens: n(r.recent_text), voiceSeconds: n(r.recent_voice), rows: n(r.recent_rows) },
        previous: { textTokens: n(r.previous_text), voiceSeconds: n(r.previous_voice), rows: n(r.previous_rows) },
      },
    ]),
  );
}

describe('incremental fleet sweep: decides only the orgs whose inputs changed, and writes what a full sweep writes', () => {
  let full: RevenueHarness;
  let incremental: RevenueHarness;
  const results: Array<{ step: string; full: SweepResult; incremental: SweepResult }> = [];
  const sumsMatched: boolean[] = [];

  beforeAll(async () => {
    [full, incremental] = await Promise.all([createRevenueHarness(), createRevenueHarness()]);
    for (const h of [full, incremental]) Object.assign(h.deps, { ruleSet: RULES });
    await Promise.all([seed(full), seed(incremental)]);
    for (const step of steps) {
      for (const h of [full, incremental]) {
        h.clock.current = new Date(h.clock.current.getTime() + step.hours * HOUR_MS);
        await step.change?.(h);
      }
      const fullResult = await full.commands.execute(new SweepFleet(full.meta(), 9));
      const incrementalResult = await incremental.commands.execute(new SweepFleet(incremental.meta(), 9, undefined, INCREMENTAL));
      await full.caughtUp(fullResult.position);
      await incremental.caughtUp(incrementalResult.position);
      results.push({ step: step.name, full: fullResult, incremental: incrementalResult });
      // The kept sums are exactly the full aggregate's, for every org, at every step.
      const expected = await loadUsageSummaries(incremental.db.pool, incremental.clock.now(), RULES, null);
      const kept = await keptSums(incremental);
      sumsMatched.push(
        expected.length === kept.size &&
          expected.every((u) => JSON.stringify(kept.get(u.orgId)) === JSON.stringify({ recent: u.recent, previous: u.previous })),
      );
    }
  }, 240_000);
  afterAll(async () => Promise.all([full, incremental].map((h) => h?.close())));

  it('keeps per-org window sums equal to the full aggregate after every kind of change', () => {
    expect(sumsMatched).toEqual(steps.map(() => true));
  });

  it('writes, step after step, exactly the events a full sweep writes', async () => {
    const expected = normalise(await revenueEvents(full), orgIds);
    const types = new Set([...expected.values()].flat().map((e) => (e as [string])[0]));
    for (const t of [
      'revenue.opportunity-detected.v1',
      'revenue.opportunity-refreshed.v1',
      'revenue.opportunity-closed.v1',
      'revenue.action-proposed.v1',
      'revenue.action-rejected.v1',
      'revenue.action-expired.v1',
      'revenue.action-run-stopped.v1',
      'revenue.action-sent.v1',
      'revenue.experiment-arm-assigned.v1',
    ]) {
      expect(types.has(t)).toBe(true); // the history exercises every path, so equality is not vacuous
    }
    expect(normalise(await revenueEvents(incremental), orgIds)).toEqual(expected);
    for (const r of results) {
      expect({ step: r.step, events: r.incremental.eventsAppended, proposed: r.incremental.actionsProposed }).toEqual({
        step: r.step,
        events: r.full.eventsAppended,
        proposed: r.full.actionsProposed,
      });
    }
  });

  it('aggregates the whole window on its first run and after more than a window; otherwise decides only changed orgs', () => {
    expect(results.map((r) => r.incremental.mode)).toEqual([
      'full',
      'incremental',
      'incremental',
      'incremental',
      'incremental',
      'full',
      'incremental',
      'incremental',
    ]);
    expect(results[0]!.incremental.fullReason).toMatch(/first run/);
    expect(results[5]!.incremental.fullReason).toMatch(/more than a window/);
    for (const [i, r] of results.entries()) {
      if (r.incremental.mode === 'full') expect(r.incremental.orgs).toBe(r.full.orgs);
      else expect({ i, fewer: r.incremental.orgs < r.full.orgs }).toEqual({ i, fewer: true });
    }
    expect(results.at(-1)!.incremental.orgs).toBeLessThan(ORGS / 4); // an hour of nothing: only what time itself changes
  });

  it('refuses a partition, and a non-positive full-sweep period', () => {
    const meta = full.meta();
    expect(() => new SweepFleet(meta, 10, { index: 0, count: 2 }, INCREMENTAL)).toThrow(RangeError);
    expect(() => new SweepFleet(meta, 10, undefined, { fullEveryMs: 0 })).toThrow(RangeError);
  });
});

describe('incremental fleet sweep: capture, crashes and resets', () => {
  let h: RevenueHarness;
  const sweep = () => h.commands.execute(new SweepFleet(h.meta(), 50, undefined, INCREMENTAL));
  const changes = async () => Number(await h.db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_usage_changes`));
  beforeAll(async () => {
    h = await createRevenueHarness(); // the default rules: at most 5 actions per run, so none left waiting
    await seed(h);
  }, 180_000);
  afterAll(async () => h?.close());

  it('captures nothing until the first run, then every write of usage and wallets', async () => {
    expect(await changes()).toBe(0); // seeded with the triggers still disabled
    expect((await sweep()).mode).toBe('full');
    await insertUsage(h, [[orgIds[3]!, h.clock.now().toISOString(), 10, 0]]);
    await h.db.pool.query(sql.unsafe`UPDATE token_wallets SET balance = balance + 1 WHERE org_id = ${orgIds[4]!}`);
    expect(await changes()).toBe(2);
    const next = await sweep();
    expect(next).toMatchObject({ mode: 'incremental', orgs: 2 });
    expect(await changes()).toBe(0); // consumed
  });

  it('a run that died before deciding leaves its orgs marked, and an unfinished full run makes the next one full', async () => {
    // The clock stands still: the windows slide over nothing, only the writes below change inputs.
    await insertUsage(h, [[orgIds[6]!, h.clock.now().toISOString(), 10, 0]]);
    await advanceSweepWindows(h.deps, h.clock.now(), h.deps.ruleSet, INCREMENTAL); // ... and the process died here
    expect(await sweep()).toMatchObject({ mode: 'incremental', orgs: 1 }); // org 6, although nothing changed since
    h.clock.current = new Date(h.clock.current.getTime() + 1); // the full period (1 ms here) has passed
    await advanceSweepWindows(h.deps, h.clock.now(), h.deps.ruleSet, { fullEveryMs: 1 }); // a full run, never finished
    expect(await sweep()).toMatchObject({ mode: 'full', fullReason: 'the last full run did not finish', orgs: ORGS });
    expect(await sweep()).toMatchObject({ mode: 'incremental' });
  });

  it('a TRUNCATE of the usage, or another rule set, starts from a full aggregate again', async () => {
    await h.db.pool.query(sql.unsafe`TRUNCATE token_usage`);
    expect(await sweep()).toMatchObject({ mode: 'full', fullReason: expect.stringMatching(/truncated/) });
    Object.assign(h.deps, { ruleSet: { ...h.deps.ruleSet, version: 'sweep-incremental-test.2' } });
    expect(await sweep()).toMatchObject({ mode: 'full', fullReason: 'the rule set changed' });
  });

  it('without the capture triggers (a platform whose tables are views) it sweeps in full, and says why', async () => {
    await h.db.pool.query(sql.unsafe`DROP TRIGGER revenue_capture_wallet_update ON token_wallets`);
    const result = await sweep();
    expect(result).toMatchObject({ mode: 'full', orgs: ORGS });
    expect(result.fullReason).toMatch(/missing: token_wallets\.revenue_capture_wallet_update/);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { effectReport, listAttributions, type AttributionView, type EffectReport } from '#read-models';
import { holdoutRuleSet, OPPORTUNITY_TYPES } from '#revenue';
import { observeOutcomes, seedDemoHistory } from '#runtime';
import { AS_OF, createRevenueStack, type RevenueStack, caughtUpWithCommitted } from '../support/revenue-stack.js';
import { runCli, TEST_SECRET, type CliRun } from './support/run-cli.js';

/** Enough for the pooled report to have 100 held-out orgs, too few for any single play's. */
const HISTORY_ORGS = 1_200;
const USAGE_HINT = /^\(run 'revenue-engine attribution --help' for usage\)$/;

const ok = (run: CliRun) => expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });

/** `revenue-engine effect` and `attribution` as real processes over a backdated, observed history. */
describe('revenue-engine effect and attribution', () => {
  let stack: RevenueStack;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    stack = await createRevenueStack();
    const deps = { ...stack.deps, ruleSet: holdoutRuleSet };
    await seedDemoHistory(deps, AS_OF, { orgs: HISTORY_ORGS });
    await caughtUpWithCommitted(stack);
    const observed = await observeOutcomes(deps, {
      meta: { actor: { kind: 'system', id: 'cli-effect-test' }, correlationId: randomUUID() },
    });
    expect(observed.errors).toEqual([]);
    await caughtUpWithCommitted(stack);
    // The CLI reads the rules from RULE_SET_VERSION, as an operator would select them.
    env = { DATABASE_URL: stack.db.url, JWT_SECRET: TEST_SECRET, NODE_ENV: 'test', RULE_SET_VERSION: holdoutRuleSet.version };
  }, 180_000);
  afterAll(async () => stack?.close());

  it('effect --json prints the report effectReport computes (but for when)', async () => {
    const run = await cli('effect', '--json');
    ok(run);
    const printed = JSON.parse(run.stdout) as EffectReport;
    const expected = await effectReport(stack.db.pool, { now: AS_OF, observationWindowDays: 30 });
    expect(Number.isNaN(Date.parse(printed.generatedAt))).toBe(false);
    expect({ ...printed, generatedAt: null }).toEqual(JSON.parse(JSON.stringify({ ...expected, generatedAt: null })));
    expect(printed.plays.map((p) => p.play)).toEqual([...OPPORTUNITY_TYPES]);
    expect(printed.overall.treatment.orgs + printed.overall.control.orgs).toBe(HISTORY_ORGS);
  });

  it('effect prints one row per play and overall: plays without enough data say so, overall shows its interval', async () => {
    const report = await effectReport(stack.db.pool, { now: AS_OF, observationWindowDays: 30 });
    // The premise of this history: the pooled control arm is big enough, no single play's is.
    expect({ plays: report.plays.map((p) => p.enoughData), overall: report.overall.enoughData }).toEqual({
      plays: OPPORTUNITY_TYPES.map(() => false),
      overall: true,
    });
    const run = await cli('effect');
    ok(run);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^play\s+experiment\s+treated\s+rate\s+control\s+rate\s+lift, points \[95 %\]\s+incremental MRR \[95 %\]\s+credits/,
    );
    for (const p of report.plays) {
      const row = lines.find((l) => l.startsWith(`${p.play} `))!;
      expect({ play: p.play, row }).toEqual({
        play: p.play,
        row: expect.stringMatching(
          new RegExp(
            `^${p.play}\\s+${p.experimentId}\\s+${p.treatment.conversions}/${p.treatment.orgs}\\s.*\\s${p.control.conversions}/${p.control.orgs}\\s.*not enough data`,
          ),
        ),
      });
      expect(lines).toContain(`${p.play}: ${p.notEnoughDataReason}`);
    }
    const lift = report.overall.lift!;
    const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
    const overall = lines.find((l) => l.startsWith('overall '))!;
    expect(overall).toContain(`${points(lift.estimate)} [${points(lift.low)}, ${points(lift.high)}]`);
    expect(overall).toContain(report.overall.creditsSpent.toFixed(2));
    expect(overall).not.toContain('not enough data');
    expect(run.stdout).toContain(`lift: ${report.method.lift}`);
    expect(run.stdout).toContain(`unit: ${report.method.unit}`);
  });

  it('attribution --json --limit 5: the five newest treated conversions, as listAttributions has them', async () => {
    const run = await cli('attribution', '--json', '--limit', '5');
    ok(run);
    const items = JSON.parse(run.stdout) as AttributionView[];
    expect(items).toHaveLength(5);
    expect(items).toEqual(await listAttributions(stack.db.pool, { limit: 5 }));
    expect(items.every((i) => i.arm === 'treatment' && i.actions.every((a) => a.result === 'accepted'))).toBe(true);

    const play = items[0]!.play;
    const filtered = JSON.parse(
      (await cli('attribution', '--json', '--play', play, '--org', items[0]!.orgId.toUpperCase())).stdout,
    ) as AttributionView[];
    expect(filtered).toEqual(await listAttributions(stack.db.pool, { limit: 50, play, orgId: items[0]!.orgId }));
    expect(filtered.length).toBeGreaterThan(0);

    const table = await cli('attribution', '--limit', '2');
    ok(table);
    expect(table.stdout.split('\n')[0]).toMatch(/^org\s+play\s+detected\s+actions\s+credits\s+observed\s+MRR/);
    expect(table.stdout).toContain(items[0]!.orgId);
  });

  it('refuses bad command lines with exit 2, a message and the hint', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['attribution', '--play', 'nope'], /'--play <type>' argument 'nope' is invalid\. Allowed choices are upsell, cross_sell/],
      [['attribution', '--org', 'not-a-uuid'], /--org must be a UUID/],
      [['attribution', '--limit', '0'], /expected a whole number from 1 to 10,000/],
      [['attribution', '--limit', 'abc'], /'--limit <n>' argument 'abc' is invalid/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(...args)));
    runs.forEach((run, i) => {
      expect({ args: cases[i]![0], code: run.code, stdout: run.stdout }).toEqual({ args: cases[i]![0], code: 2, stdout: '' });
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(cases[i]![1]);
      expect(lines.at(-1)).toMatch(USAGE_HINT);
    });
  });

  it("spells --play's choices as the domain's OPPORTUNITY_TYPES (the CLI loads no domain for --help)", async () => {
    const help = await cli('attribution', '--help');
    expect(help.code).toBe(0);
    const choices = /--play <type>[\s\S]*?\(choices: ([^)]*)\)/.exec(help.stdout)?.[1] ?? '';
    expect([...choices.matchAll(/"([a-z_]+)"/g)].map((m) => m[1])).toEqual([...OPPORTUNITY_TYPES]);
  });
});

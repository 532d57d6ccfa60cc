import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { loadState } from '#event-store';
import { executeOnOrg, revenueFold, RunFullAnalysis } from '#revenue-commands';
import { decide, revenueStreamName } from '#revenue';
import { decideStaleExpiry } from '#runtime';
import { createRevenueHarness, seedOrg, type RevenueHarness } from '../revenue/support/revenue-harness.js';
import { fastScheduler, finishedRuns, HOUR, until } from './support.js';

const meta = { actor: { kind: 'system', id: 'test' }, correlationId: 'expiry-test' } as const;

describe('scheduler: proposals pending longer than the max age expire through the domain, releasing credits', () => {
  let h: RevenueHarness;
  let oldOrg: string;
  let youngOrg: string;
  let racedOrg: string;
  const usage = { tier: 1, balance: 1, days: 60, daily: () => ({ text: 2_000, voice: 0 }) };
  const analyse = async (orgId: string) => {
    const run = await h.commands.execute(new RunFullAnalysis(orgId, h.meta()));
    await h.caughtUp(run.position);
  };
  const stateOf = async (orgId: string) => (await loadState(h.store, revenueStreamName(orgId), revenueFold)).state;
  const proposed = (state: Awaited<ReturnType<typeof stateOf>>) => Object.values(state.actions).filter((a) => a.status === 'proposed');

  beforeAll(async () => {
    h = await createRevenueHarness();
    oldOrg = await seedOrg(h, usage);
    racedOrg = await seedOrg(h, usage);
    youngOrg = await seedOrg(h, usage);
    await analyse(oldOrg);
    await analyse(racedOrg);
    h.clock.advanceDays(2);
    await analyse(youngOrg);
    h.clock.current = new Date(h.clock.current.getTime() + 24 * HOUR + 1); // old ones: 72 h + 1 ms; young: 24 h
  });
  afterAll(async () => h?.close());

  it('a concurrent approval wins: the stream, not the read model, decides what is still proposed', async () => {
    await h.pauseProjections(); // the read model still shows the action as proposed
    const [action] = proposed(await stateOf(racedOrg));
    await executeOnOrg(h.deps, racedOrg, 'ApproveAction', meta, (state, ctx) =>
      decide({ kind: 'ApproveAction', orgId: racedOrg, actionId: action!.id }, state, ctx),
    );
    // What a run read before the approval landed: every proposal of the org, all older than the cutoff.
    const nominated = Object.keys((await stateOf(racedOrg)).actions);
    const cutoff = new Date(h.clock.now().getTime() - 72 * HOUR);
    await executeOnOrg(h.deps, racedOrg, 'ExpireStaleProposals', meta, decideStaleExpiry(racedOrg, nominated, cutoff, 'stale'));
    h.resumeProjections();
    const raced = await stateOf(racedOrg);
    expect(raced.actions[action!.id]!.status).toBe('approved');
    expect(proposed(raced)).toHaveLength(0); // its other proposals expired
    expect(raced.creditsReserved).toBe(0.02); // only the approved one still holds credits
  });

  it('a scheduled run expires the old proposals (credits back to 0), keeps the young ones, and counts them', async () => {
    const oldBefore = await stateOf(oldOrg);
    const youngBefore = await stateOf(youngOrg);
    expect(proposed(youngBefore).length).toBeGreaterThan(0);
    const alreadyExpired = Object.values(oldBefore.actions).filter((a) => a.status === 'expired').length;
    const s = fastScheduler(h, { instanceId: 'expiry', proposalMaxAgeMs: 72 * HOUR });
    try {
      await until(async () => (await finishedRuns(h)).length === 1, 'one run');
    } finally {
      await s.stop();
    }
    const [run] = await finishedRuns(h);
    const oldAfter = await stateOf(oldOrg);
    expect(proposed(oldAfter)).toHaveLength(0);
    expect(oldAfter.creditsReserved).toBe(0);
    const youngAfter = await stateOf(youngOrg);
    expect(proposed(youngAfter).map((a) => a.id)).toEqual(proposed(youngBefore).map((a) => a.id));
    expect(youngAfter.creditsReserved).toBe(youngBefore.creditsReserved);
    expect(run!.finished).toMatchObject({ outcome: 'succeeded', actionsExpired: proposed(oldBefore).length });
    expect(alreadyExpired + proposed(oldBefore).length).toBeGreaterThan(0);
    const reasons = await h.db.pool.anyFirst(
      sql.unsafe`SELECT DISTINCT event_type FROM event_store.events WHERE stream_name = ${revenueStreamName(oldOrg)}`,
    );
    expect(reasons).toContain('revenue.action-expired.v1');
  });
});

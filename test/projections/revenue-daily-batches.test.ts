import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import type { LogPosition } from '#event-store';
import { revenueDaily, revenueSeriesOf, seriesWindow } from '#read-models';
import { defaultRuleSet, revenueStreamName } from '#revenue';
import { createHarness, type Harness } from './support/harness.js';
import { describeLedgerTables } from './support/ledger-projection.js';
import { appendHistory, foldSeries, generateHistory } from './support/revenue-history.js';

const TABLES = ['revenue_daily_opportunities', 'revenue_daily_actions', 'revenue_daily_opportunity_state'];
const TODAY = new Date('2026-11-20T10:00:00.000Z');
const ORGS = [randomUUID(), randomUUID(), randomUUID()];

/** Every row of the three tables, as text, in key order. */
async function allRows(h: Harness): Promise<readonly unknown[]> {
  return h.db.pool.any(sql.unsafe`
    SELECT 'o' AS t, org_id::text AS k1, day::text AS k2, opportunity_type AS k3, detected AS n, open_confidence_delta::text AS v
    FROM revenue_daily_opportunities
    UNION ALL
    SELECT 'a', org_id::text, day::text, status, entered, NULL FROM revenue_daily_actions
    UNION ALL
    SELECT 's', org_id::text, opportunity_id::text, opportunity_type, open::int, confidence::text FROM revenue_daily_opportunity_state
    ORDER BY 1, 2, 3, 4`);
}

/**
 * The revenue-daily projection alone over generated histories of several orgs (interleaved in
 * the log): applied one event per batch, then rebuilt from zero in large batches, it ends with
 * the same rows; the rebuild keeps the tables' policies, grants and indexes (migration 115).
 */
describe('revenue-daily: a batch gives what its events give one by one; rebuild-safe', () => {
  let h: Harness;
  let head: LogPosition;

  beforeAll(async () => {
    h = await createHarness();
    const histories = ORGS.map((org, i) => generateHistory(org, { seed: 7 + i, days: 25, today: TODAY }));
    // Day by day, each org's day in its own append, so the orgs' events interleave in the log.
    for (let day = 0; day < 25; day++) {
      for (const [i, org] of ORGS.entries()) await appendHistory(h.store, org, [histories[i]![day]!]);
    }
    head = (await h.store.committedHead())!;
  });
  afterAll(async () => h?.close());

  it('one event per batch, then a rebuild in batches of 1000: same rows, same catalog; the query equals a fold', async () => {
    const catalog = await describeLedgerTables(h.db.pool, TABLES);
    expect(JSON.stringify(catalog)).toContain('revenue_daily_actions_select');
    const single = h.runner([revenueDaily], { batchSize: 1 });
    single.start();
    expect(await single.waitFor('revenue-daily', head, 60_000)).toBe(true);
    const rows = await allRows(h);
    expect(rows.length).toBeGreaterThan(100);
    await single.stop();

    const batched = h.runner([revenueDaily], { batchSize: 1000 });
    batched.start();
    await batched.rebuild('revenue-daily', { timeoutMs: 60_000 });
    expect(await allRows(h)).toEqual(rows);
    expect(await describeLedgerTables(h.db.pool, TABLES)).toEqual(catalog);

    const window = seriesWindow(TODAY, 25);
    for (const org of ORGS) {
      const series = await revenueSeriesOf(h.db.pool, org, window, defaultRuleSet);
      expect(series).toEqual({ ...window, days: foldSeries(await h.store.readStream(revenueStreamName(org)), window.from, window.to) });
    }
  }, 300_000);
});

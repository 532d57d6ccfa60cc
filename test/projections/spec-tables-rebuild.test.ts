import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import type { Projection } from '#projection-runner';
import { COUNTED, type Counted } from './support/counter-projection.js';
import { createHarness, type Harness } from './support/harness.js';
import { describeLedgerTables } from './support/ledger-projection.js';
import { appendCounted } from './support/log.js';

const ORG = randomUUID();
const TABLES = ['revenue_opportunities', 'revenue_actions'];

/** Writes the specification's tables (migrations 103 + later): one (closed) opportunity and one action per event. */
const specTables: Projection<Counted> = {
  name: 'spec-tables',
  version: 1,
  eventTypes: [COUNTED],
  tables: TABLES,
  onError: 'halt',
  async apply(tx, events, tables) {
    const rows = events.map((e) => [e.metadata.eventId, e.data.amount]);
    await tx.query(sql.unsafe`
      INSERT INTO ${tables.of('revenue_opportunities')} (id, org_id, type, source, confidence, status)
      SELECT id, ${ORG}::uuid, 'upsell', 'usage_analysis', amount / 1e6, 'lost' FROM ${sql.unnest(rows, ['uuid', 'int8'])} AS u(id, amount)`);
    await tx.query(sql.unsafe`
      INSERT INTO ${tables.of('revenue_actions')} (opportunity_id, action_type, result)
      SELECT id, 'offer_upgrade', 'pending' FROM ${sql.unnest(rows, ['uuid', 'int8'])} AS u(id, amount)`);
  },
};

describe('rebuild-and-swap of the specification tables (revenue_opportunities, revenue_actions)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${ORG}, 'spec-org')`);
  });
  afterAll(async () => h?.close());

  it('keeps every policy, constraint, index, grant and comment of the migrations', async () => {
    const head = await appendCounted(h.store, 1200);
    const before = await describeLedgerTables(h.db.pool, TABLES);
    expect(JSON.stringify(before)).toContain('revenue_actions_select'); // the snapshot really covers the spec's objects
    const runner = h.runner([specTables]);
    runner.start();
    expect(await runner.waitFor('spec-tables', head, 30_000)).toBe(true);
    await runner.rebuild('spec-tables', { timeoutMs: 60_000 });
    for (let i = 0; i < 400 && JSON.stringify(await describeLedgerTables(h.db.pool, TABLES)).includes('NOT VALID'); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await describeLedgerTables(h.db.pool, TABLES)).toEqual(before);
    expect(await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM revenue_actions`)).toBe(1200);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import type { LogPosition } from '#event-store';
import { ProjectionHaltedError, readCheckpoint, type ProjectionRunner } from '#projection-runner';
import { createHarness, type Harness } from './support/harness.js';
import { createLedgerTables, describeLedgerTables, ledgerProjection } from './support/ledger-projection.js';
import { appendCounted } from './support/log.js';

const ORG = randomUUID();
const OWNER = randomUUID();

async function ledgerTotals(h: Harness): Promise<{ accounts: unknown; entries: unknown }> {
  return {
    accounts: await h.db.pool.any(sql.unsafe`SELECT id, events, total FROM rb_accounts ORDER BY id`),
    entries: await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM rb_entries`),
  };
}

/** Rows `user` can read as role authenticated, through the RLS policies. */
async function visibleAs(h: Harness, user: string): Promise<number> {
  return h.db.pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`SELECT set_config('request.jwt.claims', ${JSON.stringify({ sub: user })}, true)`);
    await tx.query(sql.unsafe`SET LOCAL ROLE authenticated`);
    return tx.oneFirst(
      sql.unsafe`SELECT (SELECT count(*) FROM rb_accounts)::int + (SELECT count(*) FROM rb_entries)::int`,
    ) as Promise<number>;
  });
}

/** The swap adds foreign keys NOT VALID (no long lock) and validates them right after its commit. */
async function untilForeignKeysValidated(h: Harness): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const pending = await h.db.pool.oneFirst(sql.unsafe`
      SELECT count(*)::int FROM pg_constraint WHERE contype = 'f' AND NOT convalidated AND conrelid IN ('rb_accounts'::regclass, 'rb_entries'::regclass)`);
    if (pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('foreign keys were never validated');
}

/** rebuild() resolves once the swap has committed; the runner logs it a moment later. */
async function untilLogged(h: Harness, message: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (h.log.lines.some((line) => line.message === message)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never logged: ${message}`);
}

async function indexKinds(h: Harness, table: string): Promise<{ unique: number; plain: number }> {
  return h.db.pool.one(sql.unsafe`
    SELECT count(*) FILTER (WHERE indisunique)::int AS unique, count(*) FILTER (WHERE NOT indisunique)::int AS plain
    FROM pg_index WHERE indrelid = to_regclass(${table})`) as Promise<{ unique: number; plain: number }>;
}

describe('projection runner: rebuild into shadow tables, then swap', () => {
  let h: Harness;
  let head: LogPosition;
  let v1: ProjectionRunner;
  let catalogBefore: unknown;
  beforeAll(async () => {
    h = await createHarness();
    await createLedgerTables(h.db.pool, ORG);
    await h.db.pool.query(sql.unsafe`INSERT INTO user_organizations (user_id, org_id, role) VALUES (${OWNER}, ${ORG}, 'owner')`);
    head = await appendCounted(h.store, 5000, { streams: 50 });
    catalogBefore = await describeLedgerTables(h.db.pool);
    v1 = h.runner([ledgerProjection(ORG, { sleepMsPerBatch: 40 })], { batchSize: 250 });
    v1.start();
    expect(await v1.waitFor('rb-ledger', head, 60_000)).toBe(true);
  });
  afterAll(async () => h?.close());

  it('keeps FKs, RLS + policies, grants, comments, index names; readers never see a half-built model', async () => {
    const before = await ledgerTotals(h);
    expect(before.entries).toBe(5000);
    const samples: number[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) samples.push((await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM rb_entries`)) as number);
    })();
    await v1.rebuild('rb-ledger', { timeoutMs: 60_000 });
    reading = false;
    await reader;

    expect(samples.length).toBeGreaterThan(10); // the rebuild (20 slow batches) overlapped the reads
    expect(new Set(samples)).toEqual(new Set([5000]));
    expect(await ledgerTotals(h)).toEqual(before);
    await untilForeignKeysValidated(h);
    expect(await describeLedgerTables(h.db.pool)).toEqual(catalogBefore);
    await untilLogged(h, 'projection rebuilt and swapped in');
    expect(await h.db.pool.anyFirst(sql.unsafe`SELECT relname FROM pg_class WHERE relname LIKE '%__rebuild%'`)).toEqual([]);
  });

  it('the carried-over objects still work: RLS filters, FKs refuse orphans, the serial sequence lives on', async () => {
    expect(await visibleAs(h, OWNER)).toBe(5050);
    expect(await visibleAs(h, randomUUID())).toBe(0);
    await expect(
      h.db.pool.query(sql.unsafe`INSERT INTO rb_entries (id, account_id, amount) VALUES (${randomUUID()}, 'no-such-account', 1)`),
    ).rejects.toMatchObject({ constraint: 'rb_entries_account_fk' });
    await expect(h.db.pool.query(sql.unsafe`DELETE FROM organizations WHERE id = ${ORG}`).then(() => 'deleted')).resolves.toBe('deleted');
    expect(await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM rb_entries`)).toBe(0); // cascaded org -> accounts -> entries
    await h.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${ORG}, 'ledger-org')`);
    await h.db.pool.query(sql.unsafe`INSERT INTO rb_accounts (id, org_id, events, total) VALUES ('manual', ${ORG}, 0, 0)`);
    const seq = await h.db.pool.oneFirst(
      sql.unsafe`INSERT INTO rb_entries (id, account_id, amount) VALUES (${randomUUID()}, 'manual', 1) RETURNING seq`,
    );
    expect(Number(seq)).toBeGreaterThan(5000);
  });

  it('a version bump rebuilds from zero with the new logic (v2 stores amounts x10), and swaps it in', async () => {
    await v1.stop();
    const v2 = h.runner([ledgerProjection(ORG, { version: 2 })], { batchSize: 1000 });
    v2.start();
    for (let i = 0; i < 2400 && (await readCheckpoint(h.db.pool, 'rb-ledger'))?.version !== 2; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(await v2.waitFor('rb-ledger', head, 60_000)).toBe(true);
    const [status] = await v2.status();
    expect(status).toMatchObject({ version: 2, liveVersion: 2, state: 'running', position: head, rebuild: null });
    const sum = await h.db.pool.oneFirst(sql.unsafe`SELECT sum(amount)::int8 FROM rb_entries`);
    expect(Number(sum)).toBe(10 * ((5000 * 5001) / 2));
    expect(await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM rb_accounts WHERE id = 'manual'`)).toBe(0); // not from the log: gone
    await untilForeignKeysValidated(h);
    expect(await describeLedgerTables(h.db.pool)).toEqual(catalogBefore);
    await v2.stop();
  });

  it('validates foreign keys a swap left NOT VALID when a runner takes over (the previous one died before validating)', async () => {
    await h.db.pool.query(sql.unsafe`ALTER TABLE rb_entries DROP CONSTRAINT rb_entries_account_fk`);
    await h.db.pool.query(sql.unsafe`
      ALTER TABLE rb_entries ADD CONSTRAINT rb_entries_account_fk FOREIGN KEY (account_id) REFERENCES rb_accounts(id) ON DELETE CASCADE NOT VALID`);
    const pending = [{ table: '"public"."rb_entries"', constraint: 'rb_entries_account_fk' }];
    await h.db.pool.query(sql.unsafe`
      UPDATE projection_checkpoints SET pending_validations = ${JSON.stringify(pending)}::jsonb WHERE name = 'rb-ledger'`);
    const runner = h.runner([ledgerProjection(ORG, { version: 2 })]);
    runner.start();
    await untilForeignKeysValidated(h);
    for (let i = 0; i < 400; i++) {
      const left = await h.db.pool.oneFirst(sql.unsafe`SELECT pending_validations FROM projection_checkpoints WHERE name = 'rb-ledger'`);
      if (left === null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(
      await h.db.pool.oneFirst(sql.unsafe`SELECT pending_validations FROM projection_checkpoints WHERE name = 'rb-ledger'`),
    ).toBeNull();
    expect(await describeLedgerTables(h.db.pool)).toEqual(catalogBefore);
    await runner.stop();
  });

  it('an older runner never rebuilds backwards: it stands by', async () => {
    const old = h.runner([ledgerProjection(ORG, { version: 1 })]);
    old.start();
    for (let i = 0; i < 400 && !h.log.lines.some((l) => l.message.includes('newer code')); i++) await new Promise((r) => setTimeout(r, 25));
    expect(h.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'projection belongs to newer code; standing by' }),
    );
    expect((await readCheckpoint(h.db.pool, 'rb-ledger'))?.version).toBe(2);
    await old.stop();
  });

  it('a rebuild interrupted by a stop resumes from its own checkpoint; the live tables stay untouched meanwhile', async () => {
    const live = await ledgerTotals(h);
    const first = h.runner([ledgerProjection(ORG, { version: 2, sleepMsPerBatch: 40 })], { batchSize: 250 });
    first.start();
    const rebuilding = first.rebuild('rb-ledger').catch((e: unknown) => e);
    for (let i = 0; i < 2400; i++) {
      const row = await readCheckpoint(h.db.pool, 'rb-ledger');
      if (row?.rebuildPosition) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await first.stop();
    const row = await readCheckpoint(h.db.pool, 'rb-ledger');
    expect(row).toMatchObject({ status: 'rebuilding', rebuildVersion: 2 });
    expect(row!.rebuildPosition).not.toBeNull();
    const shadowRows = await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM rb_entries__rebuild`);
    expect(shadowRows).toBeGreaterThan(0);
    expect(shadowRows).toBeLessThan(5000);
    expect(await ledgerTotals(h)).toEqual(live);
    // During the replay the shadow has the unique indexes (ON CONFLICT, lookups), not the plain ones.
    expect(await indexKinds(h, 'rb_entries__rebuild')).toEqual({ unique: 2, plain: 0 });
    expect(await indexKinds(h, 'rb_entries')).toEqual({ unique: 2, plain: 1 });

    const second = h.runner([ledgerProjection(ORG, { version: 2 })]);
    second.start();
    expect(await rebuilding).toBeUndefined(); // the request made through the first runner, fulfilled by the second
    expect(h.log.lines).toContainEqual(expect.objectContaining({ message: 'projection rebuild resumed' }));
    expect(await ledgerTotals(h)).toEqual(live);
    // The resumed rebuild built the plain index its interrupted run had not reached.
    await untilForeignKeysValidated(h);
    expect(await describeLedgerTables(h.db.pool)).toEqual(catalogBefore);
    await second.stop();
  });

  it('refuses to swap when an outside object depends on a table (halts with the reason); resume + rebuild after the fix', async () => {
    const runner = h.runner([ledgerProjection(ORG, { version: 2 })]);
    runner.start();
    await h.db.pool.query(sql.unsafe`CREATE VIEW rb_big_accounts AS SELECT id FROM rb_accounts WHERE total > 100`);
    const failure = await runner.rebuild('rb-ledger', { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProjectionHaltedError);
    expect(String((failure as Error).message)).toMatch(/view rb_big_accounts depends on "public"."rb_accounts"/);
    expect((await runner.status())[0]).toMatchObject({ state: 'halted' });

    await h.db.pool.query(sql.unsafe`DROP VIEW rb_big_accounts`);
    expect(await runner.resume('rb-ledger')).toBe(true);
    await runner.rebuild('rb-ledger', { timeoutMs: 60_000 });
    expect((await runner.status())[0]).toMatchObject({ state: 'running', liveVersion: 2, haltedReason: null });
    expect(await h.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM rb_entries`)).toBe(5000);
  });
});

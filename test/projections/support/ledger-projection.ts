import { sql, type CommonQueryMethods } from '#database';
import type { Projection } from '#projection-runner';
import { COUNTED, type Counted } from './counter-projection.js';

/**
 * Two owned tables with what a rebuild must carry over: a foreign key to a table the
 * projection does not own (organizations), one between its own tables, RLS with policies
 * (as in migration 103), grants to `authenticated`, comments, named indexes, a serial column.
 */
export async function createLedgerTables(db: CommonQueryMethods, orgId: string): Promise<void> {
  await db.query(sql.unsafe`
    CREATE TABLE rb_accounts (
      id text PRIMARY KEY,
      org_id uuid NOT NULL CONSTRAINT rb_accounts_org_fk REFERENCES organizations(id) ON DELETE CASCADE,
      events bigint NOT NULL,
      total bigint NOT NULL CONSTRAINT rb_accounts_total_check CHECK (total >= 0)
    )`);
  await db.query(sql.unsafe`
    CREATE TABLE rb_entries (
      id uuid PRIMARY KEY,
      seq bigserial NOT NULL,
      account_id text NOT NULL CONSTRAINT rb_entries_account_fk REFERENCES rb_accounts(id) ON DELETE CASCADE,
      amount bigint NOT NULL
    )`);
  for (const statement of [
    sql.unsafe`CREATE INDEX idx_rb_entries_account ON rb_entries(account_id)`,
    sql.unsafe`CREATE UNIQUE INDEX uq_rb_entries_seq ON rb_entries(seq) WHERE amount > 0`,
    sql.unsafe`ALTER TABLE rb_accounts ENABLE ROW LEVEL SECURITY`,
    sql.unsafe`ALTER TABLE rb_entries ENABLE ROW LEVEL SECURITY`,
    sql.unsafe`CREATE POLICY rb_accounts_select ON rb_accounts FOR SELECT TO authenticated
      USING (org_id IN (SELECT org_id FROM user_organizations WHERE user_id = auth.uid() AND role IN ('owner', 'admin')))`,
    sql.unsafe`CREATE POLICY rb_entries_select ON rb_entries AS PERMISSIVE FOR SELECT TO authenticated
      USING (account_id IN (SELECT id FROM rb_accounts))`,
    sql.unsafe`CREATE POLICY rb_entries_no_negative ON rb_entries AS RESTRICTIVE FOR ALL TO PUBLIC
      USING (amount >= 0) WITH CHECK (amount >= 0)`,
    sql.unsafe`GRANT SELECT ON rb_accounts, rb_entries TO authenticated`,
    sql.unsafe`GRANT UPDATE (events) ON rb_accounts TO authenticated`,
    sql.unsafe`COMMENT ON TABLE rb_accounts IS 'ledger accounts (rebuild test)'`,
    sql.unsafe`COMMENT ON COLUMN rb_entries.amount IS 'amount of the event'`,
    sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'ledger-org')`,
  ]) {
    await db.query(statement);
  }
}

/** v1 stores amounts as they are; v2 (a "new projection logic") stores them x10. */
export function ledgerProjection(orgId: string, options: { version?: number; sleepMsPerBatch?: number } = {}): Projection<Counted> {
  const version = options.version ?? 1;
  const factor = version >= 2 ? 10 : 1;
  return {
    name: 'rb-ledger',
    version,
    eventTypes: [COUNTED],
    tables: ['rb_accounts', 'public.rb_entries'],
    onError: 'halt',
    async apply(tx, events, tables) {
      const rows = events.map((e) => [e.metadata.eventId, e.streamName, e.data.amount * factor]);
      await tx.query(sql.unsafe`
        INSERT INTO ${tables.of('rb_accounts')} AS a (id, org_id, events, total)
        SELECT account, ${orgId}::uuid, count(*), sum(amount) FROM ${sql.unnest(rows, ['uuid', 'text', 'int8'])} AS u(id, account, amount)
        GROUP BY account
        ON CONFLICT (id) DO UPDATE SET events = a.events + excluded.events, total = a.total + excluded.total`);
      await tx.query(sql.unsafe`
        INSERT INTO ${tables.of('public.rb_entries')} (id, account_id, amount)
        SELECT id, account, amount FROM ${sql.unnest(rows, ['uuid', 'text', 'int8'])} AS u(id, account, amount)`);
      if (options.sleepMsPerBatch) await tx.query(sql.unsafe`SELECT pg_sleep(${options.sleepMsPerBatch / 1000})`);
    },
  };
}

/** Everything about the tables that a swap could lose, as comparable text. */
export async function describeLedgerTables(
  db: CommonQueryMethods,
  tables: readonly string[] = ['rb_accounts', 'rb_entries'],
): Promise<unknown> {
  const names = sql.array(tables, 'text');
  const [policies, constraints, indexes, grants, columnGrants, flags, comments] = await Promise.all([
    db.any(sql.unsafe`SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check FROM pg_policies
      WHERE tablename = ANY(${names}) ORDER BY 1, 2`),
    db.any(sql.unsafe`SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def, convalidated FROM pg_constraint
      WHERE conrelid::regclass::text = ANY(${names}) ORDER BY 1, 2`),
    db.any(sql.unsafe`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(${names}) ORDER BY 1, 2`),
    db.any(sql.unsafe`SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants
      WHERE table_name = ANY(${names}) ORDER BY 1, 2, 3`),
    db.any(sql.unsafe`SELECT table_name, column_name, grantee, privilege_type FROM information_schema.column_privileges
      WHERE table_name = ANY(${names}) AND grantee = 'authenticated' AND privilege_type <> 'SELECT' ORDER BY 1, 2, 3, 4`),
    db.any(sql.unsafe`SELECT relname, relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) AS owner FROM pg_class
      WHERE relname = ANY(${names}) AND relkind = 'r' ORDER BY 1`),
    db.any(
      sql.unsafe`SELECT c.relname, obj_description(c.oid, 'pg_class') AS tbl, a.attname, col_description(c.oid, a.attnum) AS col
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
      WHERE c.relname = ANY(${names}) AND c.relkind = 'r' ORDER BY 1, 3`,
    ),
  ]);
  return { policies, constraints, indexes, grants, columnGrants, flags, comments };
}

import type { ControlSession } from './control-session.js';
import { qualifiedName, type OwnedTable } from './table-names.js';

/** `"schema"."table"` (names are validated snake_case, see table-names.ts). */
export function quoted(table: OwnedTable, set: 'live' | 'shadow'): string {
  return qualifiedName(table, set)
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

async function statements(session: ControlSession, text: string, values: unknown[]): Promise<string[]> {
  const result = await session.query<{ statement: string }>(text, values);
  return result.rows.map((r) => r.statement);
}

/**
 * What would make a swap unsafe, as readable reasons: a missing or partitioned live table, or
 * an object outside the projection that depends on one of its tables (a view, another table's
 * foreign key or policy, a function): DROP would fail, or CASCADE would silently take it along.
 */
export async function findSwapBlockers(session: ControlSession, tables: readonly OwnedTable[]): Promise<string[]> {
  const names = tables.map((t) => quoted(t, 'live'));
  const result = await session.query<{ blocker: string }>(
    `WITH owned AS (SELECT n AS name, to_regclass(n) AS oid FROM unnest($1::text[]) n),
     dependents AS (
       SELECT o.name, d.classid, d.objid, d.objsubid,
              CASE d.classid
                WHEN 'pg_constraint'::regclass THEN (SELECT conrelid FROM pg_constraint WHERE oid = d.objid)
                WHEN 'pg_policy'::regclass THEN (SELECT polrelid FROM pg_policy WHERE oid = d.objid)
                WHEN 'pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid)
              END AS on_table
       FROM owned o JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = o.oid AND d.deptype = 'n')
     SELECT format('table %s does not exist (create it in a migration)', name) AS blocker FROM owned WHERE oid IS NULL
     UNION ALL
     SELECT format('%s is not a plain table (relkind %s)', o.name, c.relkind) FROM owned o JOIN pg_class c ON c.oid = o.oid WHERE c.relkind <> 'r'
     UNION ALL
     SELECT DISTINCT format('%s depends on %s: drop it or make its table part of the projection', pg_describe_object(classid, objid, objsubid), name)
     FROM dependents WHERE on_table IS NULL OR on_table NOT IN (SELECT oid FROM owned WHERE oid IS NOT NULL)`,
    [names],
  );
  return result.rows.map((r) => r.blocker);
}

/**
 * Serial sequences are owned by the live column and would be dropped with it, while the
 * shadow's default still calls them: hand them to the shadow first.
 */
export function sequenceHandover(session: ControlSession, table: OwnedTable): Promise<string[]> {
  return statements(
    session,
    `SELECT format('ALTER SEQUENCE %s OWNED BY %s.%I', d.objid::regclass, $2::text, a.attname) AS statement
     FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
     JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
     WHERE d.classid = 'pg_class'::regclass AND d.refobjid = $1::regclass AND d.deptype = 'a'`,
    [quoted(table, 'live'), quoted(table, 'shadow')],
  );
}

/**
 * LIKE ... INCLUDING ALL copies indexes under generated names; after the swap each gets the
 * name of its live twin (same definition), so later migrations can still refer to it. The
 * PRIMARY KEY / UNIQUE constraints follow their index's name.
 */
export function indexRenames(session: ControlSession, table: OwnedTable): Promise<string[]> {
  return statements(
    session,
    `WITH idx AS (
       SELECT i.indrelid, i.indexrelid, c.relname,
              concat_ws('|', i.indisunique, i.indisprimary, i.indisexclusion, i.indnullsnotdistinct, c.relam, i.indkey::text,
                        i.indclass::text, i.indcollation::text, i.indoption::text,
                        pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid)) AS signature
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE i.indrelid IN ($1::regclass, $2::regclass)),
     numbered AS (SELECT *, row_number() OVER (PARTITION BY indrelid, signature ORDER BY indexrelid) AS n FROM idx)
     SELECT format('ALTER INDEX %I.%I RENAME TO %I', $3::text, s.relname, l.relname) AS statement
     FROM numbered l JOIN numbered s ON s.signature = l.signature AND s.n = l.n
     WHERE l.indrelid = $1::regclass AND s.indrelid = $2::regclass AND s.relname <> l.relname`,
    [quoted(table, 'live'), quoted(table, 'shadow'), table.schema],
  );
}

/** Foreign keys of a live table, re-added NOT VALID in the swap and validated after it. */
export interface ForeignKey {
  readonly table: string;
  readonly name: string;
  readonly add: string;
  readonly validate: boolean;
}

export async function foreignKeys(session: ControlSession, table: OwnedTable): Promise<ForeignKey[]> {
  const live = quoted(table, 'live');
  const result = await session.query<{ name: string; definition: string; validated: boolean }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition, convalidated AS validated
     FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname`,
    [live],
  );
  return result.rows.map((r) => ({
    table: live,
    name: r.name,
    // NOT VALID: the swap then only locks; the full check runs after it without blocking readers.
    add: `ALTER TABLE ${live} ADD CONSTRAINT "${r.name.replaceAll('"', '""')}" ${r.definition}${r.validated ? ' NOT VALID' : ''}`,
    validate: r.validated,
  }));
}

/**
 * The indexes of a table, each with what identifies its definition (the same signature for a
 * live index and its LIKE copy) and, when it can be built after the replay, the part of its
 * definition after `USING`. Deferrable: not unique, not an exclusion constraint, backing no
 * constraint, without a comment (LIKE copies it, CREATE INDEX would not). Unique indexes and
 * constraints must exist while replaying: ON CONFLICT infers them, and a duplicate must fail
 * in the replay as it did live. Handlers look rows up by those keys; a plain index only serves
 * the read side, so the shadow can do without it until the replay is done.
 */
const tableIndexes = `
  WITH idx AS (
    SELECT i.indrelid, i.indexrelid, c.relname,
           concat_ws('|', i.indisunique, i.indisprimary, i.indisexclusion, i.indnullsnotdistinct, c.relam, i.indkey::text,
                     i.indclass::text, i.indcollation::text, i.indoption::text,
                     pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid)) AS signature,
           pg_get_indexdef(i.indexrelid) AS def,
           format('CREATE INDEX %s ON %I.%I USING ', quote_ident(c.relname), n.nspname, t.relname) AS prefix,
           NOT i.indisunique AND NOT i.indisexclusion AND NOT i.indisreplident
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
             AND NOT EXISTS (SELECT 1 FROM pg_description d WHERE d.classoid = 'pg_class'::regclass AND d.objoid = i.indexrelid)
             AS plain
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE i.indrelid IN ($1::regclass, $2::regclass)),
  -- every live index of the signature must be deferrable, and its definition must read as expected
  deferred AS (
    SELECT signature, min(substr(def, length(prefix) + 1)) AS using_part, count(*) AS live_count
    FROM idx WHERE indrelid = $1::regclass
    GROUP BY signature HAVING bool_and(plain AND starts_with(def, prefix)))`;

/** Statements dropping the fresh shadow's deferrable indexes (cheap on an empty table). */
export function deferrableIndexDrops(session: ControlSession, table: OwnedTable): Promise<string[]> {
  return statements(
    session,
    `${tableIndexes}
     SELECT format('DROP INDEX %I.%I', $3::text, s.relname) AS statement
     FROM idx s JOIN deferred USING (signature) WHERE s.indrelid = $2::regclass ORDER BY s.indexrelid`,
    [quoted(table, 'live'), quoted(table, 'shadow'), table.schema],
  );
}

/**
 * Statements building the live table's deferrable indexes the shadow lacks, as many of each
 * definition as the live table has. Empty once they are built, so running it again (a rebuild
 * resumed after a crash, the check inside the swap) does nothing.
 */
export function missingIndexBuilds(session: ControlSession, table: OwnedTable): Promise<string[]> {
  return statements(
    session,
    `${tableIndexes}
     SELECT format('CREATE INDEX ON %s USING %s', $2::text, d.using_part) AS statement
     FROM deferred d
     CROSS JOIN LATERAL generate_series(1, d.live_count - (SELECT count(*) FROM idx s WHERE s.indrelid = $2::regclass AND s.signature = d.signature))
     ORDER BY d.signature`,
    [quoted(table, 'live'), quoted(table, 'shadow')],
  );
}

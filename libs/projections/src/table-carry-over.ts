import type { ControlSession } from './control-session.js';
import { quoted } from './table-ddl.js';
import type { OwnedTable } from './table-names.js';

/**
 * Statements that give the new table what CREATE TABLE (LIKE ... INCLUDING ALL) does not copy:
 * grants (table and column, and those of an identity sequence, which the shadow gets fresh
 * with default privileges), row-level security and its policies, the table comment,
 * triggers, publication membership, replica identity and the owner. They are read from the
 * catalog BEFORE the swap and name the live table, so after the shadow is renamed to the live
 * name they apply to it. Order matters: privileges are reset and granted while we still own
 * the table; the owner changes last (PostgreSQL rewrites the grantor of existing grants).
 */
export async function carryOverStatements(session: ControlSession, table: OwnedTable): Promise<string[]> {
  const result = await session.query<{ statement: string }>(
    `WITH live AS (SELECT c.* , $1::text AS name FROM pg_class c WHERE c.oid = $1::regclass),
     shadow AS (SELECT c.* FROM pg_class c WHERE c.oid = $2::regclass),
     -- identity sequences the shadow got fresh (a serial's sequence is handed over, keeping its grants)
     seqs AS (
       SELECT ss.oid::regclass::text AS name, ss.relowner AS shadow_owner, ss.relacl AS shadow_acl,
              ls.relowner AS live_owner, ls.relacl AS live_acl
       FROM shadow, live,
            pg_depend sd JOIN pg_class ss ON ss.oid = sd.objid AND ss.relkind = 'S'
                         JOIN pg_attribute sa ON sa.attrelid = sd.refobjid AND sa.attnum = sd.refobjsubid,
            pg_depend ld JOIN pg_class ls ON ls.oid = ld.objid AND ls.relkind = 'S'
                         JOIN pg_attribute la ON la.attrelid = ld.refobjid AND la.attnum = ld.refobjsubid
       WHERE sd.classid = 'pg_class'::regclass AND sd.refclassid = 'pg_class'::regclass AND sd.refobjid = shadow.oid
         AND sd.deptype IN ('a', 'i')
         AND ld.classid = 'pg_class'::regclass AND ld.refclassid = 'pg_class'::regclass AND ld.refobjid = live.oid
         AND ld.deptype IN ('a', 'i')
         AND la.attname = sa.attname AND ls.oid <> ss.oid)
     -- 1. privileges the shadow got from default privileges, which the live table may not have had
     SELECT 1 AS step, format('REVOKE ALL ON TABLE %s FROM %s', live.name,
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END) AS statement
     FROM shadow, live, aclexplode(shadow.relacl) a WHERE a.grantee <> shadow.relowner
     UNION ALL
     SELECT 1, format('REVOKE ALL ON SEQUENCE %s FROM %s', seqs.name,
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)
     FROM seqs, aclexplode(seqs.shadow_acl) a WHERE a.grantee <> seqs.shadow_owner
     UNION ALL
     SELECT 2, format('GRANT %s ON SEQUENCE %s TO %s%s', a.privilege_type, seqs.name,
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
     FROM seqs, aclexplode(seqs.live_acl) a WHERE a.grantee <> seqs.live_owner
     UNION ALL
     SELECT 2, format('GRANT %s ON TABLE %s TO %s%s', a.privilege_type, live.name,
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
     FROM live, aclexplode(live.relacl) a WHERE a.grantee <> live.relowner
     UNION ALL
     SELECT 2, format('GRANT %s (%I) ON TABLE %s TO %s%s', a.privilege_type, att.attname, live.name,
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
     FROM live JOIN pg_attribute att ON att.attrelid = live.oid AND att.attnum > 0 AND NOT att.attisdropped,
          aclexplode(att.attacl) a WHERE a.grantee <> live.relowner
     UNION ALL
     SELECT 3, format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', live.name) FROM live WHERE live.relrowsecurity
     UNION ALL
     SELECT 3, format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', live.name) FROM live WHERE live.relforcerowsecurity
     UNION ALL
     SELECT 4, format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', p.polname, live.name,
              CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
              CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
              (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END, ', ') FROM unnest(p.polroles) r),
              ' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')',
              ' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')')
     FROM live JOIN pg_policy p ON p.polrelid = live.oid
     UNION ALL
     SELECT 5, format('COMMENT ON TABLE %s IS %L', live.name, d.description)
     FROM live JOIN pg_description d ON d.objoid = live.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
     UNION ALL
     SELECT 6, pg_get_triggerdef(t.oid) FROM live JOIN pg_trigger t ON t.tgrelid = live.oid AND NOT t.tgisinternal
     UNION ALL
     SELECT 7, format('ALTER TABLE %s DISABLE TRIGGER %I', live.name, t.tgname)
     FROM live JOIN pg_trigger t ON t.tgrelid = live.oid AND NOT t.tgisinternal AND t.tgenabled = 'D'
     UNION ALL
     SELECT 8, format('ALTER PUBLICATION %I ADD TABLE %s', pub.pubname, live.name)
     FROM live JOIN pg_publication_rel pr ON pr.prrelid = live.oid JOIN pg_publication pub ON pub.oid = pr.prpubid
     UNION ALL
     SELECT 9, format('ALTER TABLE %s REPLICA IDENTITY %s', live.name, CASE live.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING' END)
     FROM live WHERE live.relreplident IN ('f', 'n')
     UNION ALL
     SELECT 9, format('ALTER TABLE %s REPLICA IDENTITY USING INDEX %I', live.name, ic.relname)
     FROM live JOIN pg_index i ON i.indrelid = live.oid AND i.indisreplident JOIN pg_class ic ON ic.oid = i.indexrelid
     WHERE live.relreplident = 'i'
     UNION ALL
     SELECT 10, format('ALTER TABLE %s OWNER TO %I', live.name, pg_get_userbyid(live.relowner))
     FROM live, shadow WHERE live.relowner <> shadow.relowner
     ORDER BY 1`,
    [quoted(table, 'live'), quoted(table, 'shadow')],
  );
  return result.rows.map((r) => r.statement);
}

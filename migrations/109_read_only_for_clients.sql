-- Up Migration
-- The database's client roles (`authenticated`, `anon`: what Supabase's REST layer runs as)
-- never write the tables below: the read models are written by the projections only, the event
-- store by the command side, the rest by the runner and the API as the owner. On Supabase the
-- default privileges usually grant both roles ALL on every new table in public, so a member
-- could otherwise INSERT rows through the INSERT policies of migration 103, which admit any
-- member of the org. Revoked explicitly, whatever the default privileges were when a table was
-- created; the policies of 103 stay as the specification has them. A projection rebuild keeps
-- this: the swap revokes what the fresh table got from default privileges and re-grants
-- exactly the live table's grants (libs/projections/src/table-carry-over.ts).

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
END $$;

-- The read models the API serves (migration 107): SELECT only, filtered by the RLS policies.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE revenue_opportunities, revenue_actions FROM authenticated;
GRANT SELECT ON TABLE revenue_opportunities, revenue_actions TO authenticated;

-- No access at all: anon on every table here; authenticated on all but the two above.
REVOKE ALL ON TABLE revenue_opportunities, revenue_actions FROM anon;
REVOKE ALL ON TABLE
  revenue_org_streams,
  credit_ledger,
  event_store.streams,
  event_store.events,
  projection_checkpoints,
  projection_dead_letters,
  api_idempotency_keys
FROM authenticated, anon;
REVOKE ALL ON SCHEMA event_store FROM authenticated, anon;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA event_store FROM authenticated, anon;

-- Identity sequences (setval needs only UPDATE on the sequence), and node-pg-migrate's own
-- bookkeeping table, which the same default privileges reach.
DO $$
DECLARE
  seq text;
BEGIN
  FOR seq IN
    SELECT s FROM (VALUES
      (pg_get_serial_sequence('credit_ledger', 'id')),
      (pg_get_serial_sequence('projection_dead_letters', 'id'))) AS v(s)
    WHERE s IS NOT NULL
  LOOP
    EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM authenticated, anon', seq);
  END LOOP;
  IF to_regclass('public.pgmigrations') IS NOT NULL THEN
    REVOKE ALL ON TABLE public.pgmigrations FROM authenticated, anon;
    IF pg_get_serial_sequence('public.pgmigrations', 'id') IS NOT NULL THEN
      EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM authenticated, anon', pg_get_serial_sequence('public.pgmigrations', 'id'));
    END IF;
  END IF;
END $$;

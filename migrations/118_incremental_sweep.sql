-- Up Migration
-- The incremental sweep (libs/revenue-commands/src/sweep-fleet/incremental-sweep.sql.ts) decides
-- only the orgs whose inputs changed since its last run. It keeps, per org, the sums of
-- token_usage over the detectors' two windows as of its last run, and moves them forward from
-- the changes alone: the rows written since (captured by the triggers below) and the rows the
-- windows slid over (a range of period_start, read through idx_token_usage_period).
--
-- revenue_sweep_windows: the sums as of revenue_sweep_cursor.as_of; dirty_run is the incremental
-- run that marked the org for deciding (cleared once a run decided it, so a crash leaves it
-- marked; a full run decides every org and marks none).
-- No foreign key to organizations: an org deleted and created again with the same id between two
-- runs must keep its row, or the deletion's negative changes would be applied to zeros.
CREATE TABLE IF NOT EXISTS revenue_sweep_windows (
  org_id UUID PRIMARY KEY,
  recent_text BIGINT NOT NULL DEFAULT 0,
  recent_voice BIGINT NOT NULL DEFAULT 0,
  recent_rows BIGINT NOT NULL DEFAULT 0,
  previous_text BIGINT NOT NULL DEFAULT 0,
  previous_voice BIGINT NOT NULL DEFAULT 0,
  previous_rows BIGINT NOT NULL DEFAULT 0,
  dirty_run BIGINT
);
CREATE INDEX IF NOT EXISTS idx_revenue_sweep_windows_dirty ON revenue_sweep_windows (org_id) WHERE dirty_run IS NOT NULL;

-- One row: what the sums are as of, and what the next run continues from.
CREATE TABLE IF NOT EXISTS revenue_sweep_cursor (
  id BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
  run BIGINT NOT NULL,
  as_of TIMESTAMPTZ NOT NULL,
  window_days INTEGER NOT NULL,
  rule_set_version TEXT NOT NULL,
  -- The log's readable head when the run started: the next run reads the org streams' events after it.
  log_position TEXT,
  -- When the sums were last aggregated from the whole window (the periodic full sweep).
  full_at TIMESTAMPTZ NOT NULL,
  -- A full run decides every org; until it has, the next run is a full one too.
  full_pending BOOLEAN NOT NULL DEFAULT false
);

-- What changed in token_usage (signed: a delete or the old side of an update is negative) and in
-- token_wallets (period_start null: nothing to sum, the org is only marked). Written by the
-- triggers in the writer's transaction, consumed by the next run in the same snapshot as the
-- windows it moves, so a row is counted exactly once.
CREATE TABLE IF NOT EXISTS revenue_usage_changes (
  id BIGSERIAL PRIMARY KEY,
  org_id UUID NOT NULL,
  period_start TIMESTAMPTZ,
  text_tokens BIGINT NOT NULL DEFAULT 0,
  voice_seconds BIGINT NOT NULL DEFAULT 0,
  row_count INTEGER NOT NULL DEFAULT 0
);

-- The triggers are created DISABLED: capturing costs each platform write an insert here, so it
-- starts only when the first incremental run enables them (in the transaction that aggregates
-- the windows, under the lock ALTER TABLE takes, so no write falls between the two). SECURITY
-- DEFINER: the platform's writers need no grant on the engine's table. Only where token_usage
-- and token_wallets are tables (a platform mapping them as views has no incremental sweep).
CREATE OR REPLACE FUNCTION public.revenue_capture_usage() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO revenue_usage_changes (org_id, period_start, text_tokens, voice_seconds, row_count)
    SELECT org_id, period_start, -text_tokens_used, -voice_seconds_used, -1 FROM old_rows;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO revenue_usage_changes (org_id, period_start, text_tokens, voice_seconds, row_count)
    SELECT org_id, period_start, text_tokens_used, voice_seconds_used, 1 FROM new_rows;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION public.revenue_capture_wallet() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO revenue_usage_changes (org_id) SELECT org_id FROM old_rows;
  ELSE
    INSERT INTO revenue_usage_changes (org_id) SELECT org_id FROM new_rows;
  END IF;
  RETURN NULL;
END
$fn$;

-- A TRUNCATE leaves no rows to capture: the next run aggregates the windows afresh.
CREATE OR REPLACE FUNCTION public.revenue_capture_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  DELETE FROM revenue_sweep_cursor;
  RETURN NULL;
END
$fn$;

DO $$
DECLARE
  target record;
  op text;
  name text;
BEGIN
  FOR target IN SELECT * FROM (VALUES ('token_usage', 'usage'), ('token_wallets', 'wallet')) AS v(tbl, kind) LOOP
    CONTINUE WHEN (SELECT relkind FROM pg_class WHERE oid = to_regclass('public.' || target.tbl)) NOT IN ('r', 'p');
    FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
      name := format('revenue_capture_%s_%s', target.kind, op);
      EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', name, target.tbl);
      EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I %s FOR EACH STATEMENT EXECUTE FUNCTION public.%I()',
        name, upper(op), target.tbl,
        CASE op WHEN 'insert' THEN 'REFERENCING NEW TABLE AS new_rows'
                WHEN 'update' THEN 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
                WHEN 'delete' THEN 'REFERENCING OLD TABLE AS old_rows' ELSE '' END,
        CASE op WHEN 'truncate' THEN 'revenue_capture_truncate' ELSE 'revenue_capture_' || target.kind END);
      EXECUTE format('ALTER TABLE %I DISABLE TRIGGER %I', target.tbl, name);
    END LOOP;
  END LOOP;
END $$;

-- Down Migration
DROP TRIGGER IF EXISTS revenue_capture_usage_insert ON token_usage;
DROP TRIGGER IF EXISTS revenue_capture_usage_update ON token_usage;
DROP TRIGGER IF EXISTS revenue_capture_usage_delete ON token_usage;
DROP TRIGGER IF EXISTS revenue_capture_usage_truncate ON token_usage;
DROP TRIGGER IF EXISTS revenue_capture_wallet_insert ON token_wallets;
DROP TRIGGER IF EXISTS revenue_capture_wallet_update ON token_wallets;
DROP TRIGGER IF EXISTS revenue_capture_wallet_delete ON token_wallets;
DROP TRIGGER IF EXISTS revenue_capture_wallet_truncate ON token_wallets;
DROP FUNCTION IF EXISTS public.revenue_capture_usage();
DROP FUNCTION IF EXISTS public.revenue_capture_wallet();
DROP FUNCTION IF EXISTS public.revenue_capture_truncate();
DROP TABLE IF EXISTS revenue_usage_changes;
DROP TABLE IF EXISTS revenue_sweep_cursor;
DROP TABLE IF EXISTS revenue_sweep_windows;

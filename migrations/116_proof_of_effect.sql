-- Up Migration
-- Proof of effect (issue 14): the arm of each opportunity in its play's experiment and what its
-- observation window showed, on the opportunity's read-model row (the revenue-read-model
-- projection writes them from revenue.experiment-arm-assigned.v1 and revenue.outcome-observed.v1);
-- and the two platform signals the baseline tables lack, created only where missing.

ALTER TABLE revenue_opportunities
  ADD COLUMN IF NOT EXISTS experiment_id TEXT,
  ADD COLUMN IF NOT EXISTS arm TEXT CHECK (arm IN ('treatment', 'control')),
  ADD COLUMN IF NOT EXISTS holdout_share NUMERIC,
  ADD COLUMN IF NOT EXISTS observed_at TIMESTAMPTZ,
  ADD COLUMN IF NOT EXISTS converted BOOLEAN,
  ADD COLUMN IF NOT EXISTS realised_mrr NUMERIC(14, 4),
  -- {"windowStart", "windowEnd", "evidence"} of the observation.
  ADD COLUMN IF NOT EXISTS observation JSONB,
  -- The details as detected (a refresh replaces details, never this): what an observation compares with.
  ADD COLUMN IF NOT EXISTS baseline JSONB;

-- The observer's "whose window has closed and is not observed yet" (created_at = detection).
CREATE INDEX IF NOT EXISTS idx_revenue_opportunities_unobserved ON revenue_opportunities (created_at)
  WHERE observed_at IS NULL;
-- The uplift report: each org's first observed opportunity per play and experiment, from the
-- index alone (an index-only scan: every column the report reads is in it), and the credits
-- charged per opportunity without reading the actions table.
CREATE INDEX IF NOT EXISTS idx_revenue_opportunities_effect
  ON revenue_opportunities (type, experiment_id, org_id, created_at, id) INCLUDE (arm, holdout_share, converted, realised_mrr)
  WHERE observed_at IS NOT NULL AND experiment_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_revenue_actions_charged
  ON revenue_actions (opportunity_id) INCLUDE (credits_charged) WHERE credits_charged > 0;

-- Platform signals. A platform that keeps them elsewhere creates views of these names and
-- columns before migrating (docs/RULES.md "Observed outcomes" shows the mapping).
DO $$
BEGIN
  IF to_regclass('public.tier_changes') IS NULL THEN
    CREATE TABLE public.tier_changes (
      id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
      org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      from_tier INTEGER NOT NULL CHECK (from_tier >= 1),
      to_tier INTEGER NOT NULL CHECK (to_tier >= 1),
      changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX idx_tier_changes_org_changed ON public.tier_changes (org_id, changed_at);
    COMMENT ON TABLE public.tier_changes IS 'revenue-engine 116: tier history (created where missing)';
    -- Where the engine created the table, it also keeps it: every change of a wallet's tier is
    -- recorded, at now() or, for a backfill of history, at the instant the transaction sets in
    -- revenue_engine.tier_changed_at.
    CREATE FUNCTION public.record_tier_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO public.tier_changes (org_id, from_tier, to_tier, changed_at)
      VALUES (NEW.org_id, OLD.tier, NEW.tier,
        coalesce(nullif(current_setting('revenue_engine.tier_changed_at', true), '')::timestamptz, now()));
      RETURN NEW;
    END
    $fn$;
    CREATE TRIGGER token_wallets_record_tier_change AFTER UPDATE OF tier ON token_wallets
      FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier) EXECUTE FUNCTION public.record_tier_change();
  END IF;
  IF to_regclass('public.credit_purchases') IS NULL THEN
    CREATE TABLE public.credit_purchases (
      id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
      org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      credits NUMERIC(14, 4) NOT NULL CHECK (credits > 0),
      -- What the org paid, in the price list's currency.
      amount NUMERIC(14, 4) NOT NULL CHECK (amount >= 0),
      purchased_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX idx_credit_purchases_org_purchased ON public.credit_purchases (org_id, purchased_at);
    COMMENT ON TABLE public.credit_purchases IS 'revenue-engine 116: credit purchases (created where missing)';
  END IF;
END $$;

-- Down Migration
DROP TRIGGER IF EXISTS token_wallets_record_tier_change ON token_wallets;
DROP FUNCTION IF EXISTS public.record_tier_change();
-- Only the tables this migration created (a platform's own tables or views stay).
DO $$
BEGIN
  IF obj_description(to_regclass('public.credit_purchases'), 'pg_class') LIKE 'revenue-engine 116:%' THEN
    DROP TABLE public.credit_purchases;
  END IF;
  IF obj_description(to_regclass('public.tier_changes'), 'pg_class') LIKE 'revenue-engine 116:%' THEN
    DROP TABLE public.tier_changes;
  END IF;
END $$;
DROP INDEX IF EXISTS idx_revenue_actions_charged;
DROP INDEX IF EXISTS idx_revenue_opportunities_effect;
DROP INDEX IF EXISTS idx_revenue_opportunities_unobserved;
ALTER TABLE revenue_opportunities
  DROP COLUMN IF EXISTS baseline, DROP COLUMN IF EXISTS observation, DROP COLUMN IF EXISTS realised_mrr, DROP COLUMN IF EXISTS converted,
  DROP COLUMN IF EXISTS observed_at, DROP COLUMN IF EXISTS holdout_share, DROP COLUMN IF EXISTS arm,
  DROP COLUMN IF EXISTS experiment_id;

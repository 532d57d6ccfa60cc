-- Up Migration
-- The dashboard's time series (GET /api/revenue/series), as the revenue-daily projection
-- (projections/revenue-daily) writes it from the org streams: per org and UTC day (the event's
-- occurredAt), what happened that day. Aggregates only, so a chart of a year is one index range
-- per org, never a fold over the events.
--
-- revenue_daily_opportunities: per type, the opportunities detected that day, and the change of
-- the summed confidence of the org's OPEN opportunities of that type that day (a detection adds
-- its confidence, a refresh adds new - old, a close removes what was left). Potential MRR at the
-- end of a day is then sum over types of weight x (cumulative change up to that day), with the
-- weights of the rule set the API decides with (as GET /api/revenue/expansion), rounded to cents
-- at the end; numeric throughout, so it equals the expansion over the open opportunities exactly.
--
-- revenue_daily_actions: per action status, how many actions entered it that day.
--
-- revenue_daily_opportunity_state: what the projection needs to know per opportunity (its type,
-- its last confidence, whether it is still open), its own copy: a projection never reads
-- another's tables. Never read by the API.

CREATE TABLE IF NOT EXISTS revenue_daily_opportunities (
  org_id UUID NOT NULL,
  day DATE NOT NULL,
  opportunity_type TEXT NOT NULL CHECK (opportunity_type IN (
    'upsell', 'cross_sell', 'feature_expansion', 'retention_intervention', 'credit_marketplace_offer')),
  detected INTEGER NOT NULL DEFAULT 0 CHECK (detected >= 0),
  open_confidence_delta NUMERIC NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, day, opportunity_type)
);

CREATE TABLE IF NOT EXISTS revenue_daily_actions (
  org_id UUID NOT NULL,
  day DATE NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'sent', 'failed', 'accepted', 'declined', 'expired')),
  entered INTEGER NOT NULL DEFAULT 0 CHECK (entered >= 0),
  PRIMARY KEY (org_id, day, status)
);

CREATE TABLE IF NOT EXISTS revenue_daily_opportunity_state (
  opportunity_id UUID PRIMARY KEY,
  org_id UUID NOT NULL,
  opportunity_type TEXT NOT NULL,
  confidence NUMERIC NOT NULL,
  open BOOLEAN NOT NULL
);
-- Erasure deletes by org.
CREATE INDEX IF NOT EXISTS idx_revenue_daily_opportunity_state_org ON revenue_daily_opportunity_state (org_id);

-- Read as role `authenticated` (the API's user reads, libs/database/src/rls-session.ts): owners
-- and admins of the org only, with the per-row membership probe of migration 113. SELECT only,
-- as migration 109 does for the other read models; the state table is no client's business.
-- A projection rebuild carries grants, RLS and policies over to the fresh tables
-- (libs/projections/src/table-carry-over.ts).
ALTER TABLE revenue_daily_opportunities ENABLE ROW LEVEL SECURITY;
ALTER TABLE revenue_daily_actions ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS revenue_daily_opportunities_select ON revenue_daily_opportunities;
CREATE POLICY revenue_daily_opportunities_select ON revenue_daily_opportunities
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM user_organizations m
    WHERE m.user_id = (SELECT auth.uid())
      AND m.org_id = revenue_daily_opportunities.org_id
      AND m.role IN ('owner', 'admin')
    OFFSET 0
  ));

DROP POLICY IF EXISTS revenue_daily_actions_select ON revenue_daily_actions;
CREATE POLICY revenue_daily_actions_select ON revenue_daily_actions
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM user_organizations m
    WHERE m.user_id = (SELECT auth.uid())
      AND m.org_id = revenue_daily_actions.org_id
      AND m.role IN ('owner', 'admin')
    OFFSET 0
  ));

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
END $$;

REVOKE ALL ON TABLE revenue_daily_opportunities, revenue_daily_actions, revenue_daily_opportunity_state FROM authenticated, anon;
GRANT SELECT ON TABLE revenue_daily_opportunities, revenue_daily_actions TO authenticated;

-- Down Migration
DROP TABLE IF EXISTS revenue_daily_opportunity_state;
DROP TABLE IF EXISTS revenue_daily_actions;
DROP TABLE IF EXISTS revenue_daily_opportunities;

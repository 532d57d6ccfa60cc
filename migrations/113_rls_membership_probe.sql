-- Up Migration
-- The SELECT policies of migration 103, rewritten so that their cost no longer grows with the
-- number of orgs the caller belongs to. They admit exactly the same rows (proved by
-- test/database/rls-policy-equivalence.test.ts against 103's own policy text); 103 stays the
-- specification's file, its INSERT policies are untouched (and unused: migration 109 grants
-- `authenticated` SELECT only).
--
-- Why (docs/PERFORMANCE.md, "Large principals"): 103's
--   org_id IN (SELECT org_id FROM user_organizations WHERE user_id = auth.uid() AND role IN (...))
-- is planned as a hashed SubPlan: PostgreSQL first collects every org the caller owns or
-- administers, then probes the hash per row. auth.uid() is an inlined STABLE expression that
-- parses the JWT claims (jsonb) and is not an index key the planner trusts, so for a principal
-- with 25,000 orgs that is a sequential scan of user_organizations with two claim parses per
-- row (the policy's own and the self-select policy's): ~150-230 ms before the first row.
--
-- Now: a correlated EXISTS per candidate row, one probe of user_organizations' primary key
-- (user_id, org_id); `(SELECT auth.uid())` is an InitPlan evaluated once per statement.
-- `OFFSET 0` keeps the EXISTS a per-row probe: without it the planner converts the EXISTS back
-- into the same hashed subplan over all of the caller's memberships. The cost is one index
-- probe per row the query's own conditions (org_id = ...) already select, whatever the
-- caller's number of orgs.
--
-- Equivalence with 103: `x IN (SELECT c ...)` and `EXISTS (SELECT ... WHERE c = x)` admit the
-- same rows when x and c are NOT NULL (revenue_opportunities.org_id, revenue_actions.
-- opportunity_id, user_organizations.org_id, revenue_opportunities.id all are); auth.uid() is
-- STABLE, so evaluating it once per statement gives the value every row saw; the tables
-- referenced in the policies stay subject to their own RLS (the self-select policy of
-- user_organizations, and for revenue_actions the policy of revenue_opportunities), as in 103.
-- A projection rebuild carries these policies over to the fresh tables
-- (libs/projections/src/table-carry-over.ts), as it did 103's.
--
-- The index: the opportunities list (WHERE org_id = ... ORDER BY confidence DESC, id DESC LIMIT n)
-- otherwise reads and sorts every row of the org, so the policy's probe ran once per row of the
-- org (1,000 in the benchmark, ~6 ms); in index order it runs for the page's rows only. The
-- rebuild's CREATE TABLE (LIKE ... INCLUDING ALL) copies it like the others.

DROP POLICY IF EXISTS revenue_opportunities_select ON revenue_opportunities;
CREATE POLICY revenue_opportunities_select ON revenue_opportunities
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM user_organizations m
    WHERE m.user_id = (SELECT auth.uid())
      AND m.org_id = revenue_opportunities.org_id
      AND m.role IN ('owner', 'admin')
    OFFSET 0
  ));

CREATE INDEX IF NOT EXISTS idx_revenue_opportunities_org_conf_id
  ON revenue_opportunities (org_id, confidence DESC, id DESC);

DROP POLICY IF EXISTS revenue_actions_select ON revenue_actions;
CREATE POLICY revenue_actions_select ON revenue_actions
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM revenue_opportunities o
    JOIN user_organizations m ON m.org_id = o.org_id
    WHERE o.id = revenue_actions.opportunity_id
      AND m.user_id = (SELECT auth.uid())
      AND m.role IN ('owner', 'admin')
    OFFSET 0
  ));

-- Down Migration
DROP INDEX IF EXISTS idx_revenue_opportunities_org_conf_id;
DROP POLICY IF EXISTS revenue_opportunities_select ON revenue_opportunities;
CREATE POLICY revenue_opportunities_select ON revenue_opportunities
  FOR SELECT TO authenticated
  USING (org_id IN (
    SELECT org_id FROM user_organizations
    WHERE user_id = auth.uid() AND role IN ('owner', 'admin')
  ));

DROP POLICY IF EXISTS revenue_actions_select ON revenue_actions;
CREATE POLICY revenue_actions_select ON revenue_actions
  FOR SELECT TO authenticated
  USING (opportunity_id IN (
    SELECT id FROM revenue_opportunities
    WHERE org_id IN (
      SELECT org_id FROM user_organizations
      WHERE user_id = auth.uid() AND role IN ('owner', 'admin')
    )
  ));

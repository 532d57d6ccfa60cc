-- Up Migration
-- The dashboard's reads (issue 11).
--
-- GET /api/revenue/opportunities?sort=newest|oldest pages an org's opportunities by
-- (created_at, id), descending or ascending. Without an index in that order PostgreSQL reads and
-- sorts every row of the org for each page, and for a user the RLS policy's membership probe
-- (migration 113) runs once per row of the org instead of once per row of the page (EXPLAIN
-- ANALYZE of a user's first newest page, 1,000 rows in the org: bitmap scan + top-N sort, 1,000
-- probes, 4.5 ms without; index only scan, 51 probes, 0.2 ms with). One index serves both orders
-- (oldest is the backward scan). A projection rebuild's
-- CREATE TABLE (LIKE ... INCLUDING ALL) copies it to the fresh table, like 113's.
CREATE INDEX IF NOT EXISTS idx_revenue_opportunities_org_created_id
  ON revenue_opportunities (org_id, created_at DESC, id DESC);

-- Down Migration
DROP INDEX IF EXISTS idx_revenue_opportunities_org_created_id;

-- Up Migration
-- The scheduler's runs as the scheduler-runs projection writes them (one row per run, from the
-- scheduler.run-started.v1 / run-finished.v1 events of its `scheduler-run-<runId>` streams).
-- Read by the API (GET /api/ops/runs, service tokens) and the CLI (`runs`), as the owner.
-- The counts and the outcome stay NULL until the run is finished.

CREATE TABLE IF NOT EXISTS scheduler_runs (
  run_id UUID PRIMARY KEY,
  instance_id TEXT NOT NULL,
  scheduled_for TIMESTAMPTZ NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  outcome TEXT CHECK (outcome IN ('succeeded', 'failed', 'abandoned')),
  orgs INTEGER,
  detections INTEGER,
  actions_proposed INTEGER,
  actions_expired INTEGER,
  errors JSONB NOT NULL DEFAULT '[]'::jsonb
);

-- The listing's keyset, newest first.
CREATE INDEX IF NOT EXISTS idx_scheduler_runs_started ON scheduler_runs(started_at DESC, run_id DESC);

-- As migration 109 (which created both roles): the client roles never write it, nor read it (it
-- is no org's data). A projection rebuild carries these grants over to the fresh table.
REVOKE ALL ON TABLE scheduler_runs FROM authenticated, anon;

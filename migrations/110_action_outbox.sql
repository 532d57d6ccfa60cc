-- Up Migration
-- The outbox of the autonomous loop, in two tables with different owners:
--
-- action_outbox: what must go out, a read model of the org streams (projections/action-outbox):
-- one row per approved action whose channel the engine delivers (from the
-- revenue.action-delivery-queued.v1 event appended with the approval), and one per proposal
-- MAOS may be notified of. `settled_at` is set by the event that makes the entry moot (the
-- action recorded sent/failed; the proposal approved/rejected/expired). Rebuilt from events like
-- any read model, so a rebuild brings back exactly the same rows, settled ones settled.
--
-- outbox_deliveries: the dispatcher's attempts (count, lease, next try, last error). Operational
-- state, not a read model: no projection owns it, so a rebuild never resets it. The outcome that
-- matters (sent / failed) is recorded through the domain, in the org's stream.

CREATE TABLE IF NOT EXISTS action_outbox (
  kind TEXT NOT NULL CHECK (kind IN ('delivery', 'proposal')),
  action_id UUID NOT NULL,
  org_id UUID NOT NULL,
  opportunity_id UUID NOT NULL,
  action_type TEXT NOT NULL,
  -- delivery: 'webhook' or 'log' as recorded at approval; proposal: 'maos'.
  channel_kind TEXT NOT NULL,
  queued_at TIMESTAMPTZ NOT NULL,
  settled_at TIMESTAMPTZ,
  settled_as TEXT,
  PRIMARY KEY (kind, action_id)
);
-- The dispatcher's scan: unsettled entries, oldest first.
CREATE INDEX IF NOT EXISTS idx_action_outbox_unsettled ON action_outbox (queued_at) WHERE settled_at IS NULL;

CREATE TABLE IF NOT EXISTS outbox_deliveries (
  kind TEXT NOT NULL,
  action_id UUID NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ,
  -- A claimed attempt: another dispatcher leaves the entry alone until then (a killed one's
  -- claim runs out and the entry is delivered again, with the same idempotency key).
  locked_until TIMESTAMPTZ,
  locked_by TEXT,
  last_attempt_at TIMESTAMPTZ,
  last_error TEXT,
  -- The receiver answered 2xx (the domain records sent right after; a proposal notice is done).
  delivered_at TIMESTAMPTZ,
  -- Attempts exhausted (the domain records failed; a proposal notice stops being retried).
  gave_up_at TIMESTAMPTZ,
  PRIMARY KEY (kind, action_id)
);

REVOKE ALL ON TABLE action_outbox, outbox_deliveries FROM authenticated, anon;

-- Down Migration
DROP TABLE IF EXISTS outbox_deliveries;
DROP TABLE IF EXISTS action_outbox;

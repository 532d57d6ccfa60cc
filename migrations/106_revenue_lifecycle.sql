-- Up Migration
-- Read-model columns the lifecycle needs (migration 103 stays as the specification wrote it),
-- the per-org stream revision used by the fleet sweep, and the credit ledger.

ALTER TABLE revenue_opportunities
  ADD COLUMN IF NOT EXISTS status TEXT NOT NULL DEFAULT 'open',
  ADD COLUMN IF NOT EXISTS evidence JSONB NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN IF NOT EXISTS rule_set_version TEXT,
  ADD COLUMN IF NOT EXISTS updated_at TIMESTAMPTZ,
  ADD COLUMN IF NOT EXISTS closed_at TIMESTAMPTZ,
  ADD COLUMN IF NOT EXISTS close_reason TEXT,
  ADD COLUMN IF NOT EXISTS last_action_at TIMESTAMPTZ,
  ADD CONSTRAINT revenue_opportunities_status_check
    CHECK (status IN ('open', 'won', 'lost', 'superseded', 'expired'));

-- At most one open opportunity per (org, type): the domain guarantees it, the read model checks it.
CREATE UNIQUE INDEX IF NOT EXISTS uq_revenue_opportunities_open_per_type
  ON revenue_opportunities(org_id, type) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS idx_revenue_opportunities_org_status_conf
  ON revenue_opportunities(org_id, status, confidence DESC, id);

ALTER TABLE revenue_actions
  ADD COLUMN IF NOT EXISTS org_id UUID,
  ADD COLUMN IF NOT EXISTS status TEXT NOT NULL DEFAULT 'proposed',
  ADD COLUMN IF NOT EXISTS credits_reserved NUMERIC(14, 4) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS credits_charged NUMERIC(14, 4) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS reason TEXT,
  ADD COLUMN IF NOT EXISTS decided_by JSONB,
  ADD COLUMN IF NOT EXISTS updated_at TIMESTAMPTZ,
  ADD CONSTRAINT revenue_actions_status_check
    CHECK (status IN ('proposed', 'approved', 'rejected', 'sent', 'failed', 'accepted', 'declined', 'expired'));

-- MAOS lists pending approvals across orgs, oldest first.
CREATE INDEX IF NOT EXISTS idx_revenue_actions_status_performed ON revenue_actions(status, performed_at, id);
CREATE INDEX IF NOT EXISTS idx_revenue_actions_org ON revenue_actions(org_id);

-- The revision of each org's revenue stream as last projected: the fleet sweep decides from the
-- read model and appends with this as the expected revision (a stale one is a safe conflict).
CREATE TABLE IF NOT EXISTS revenue_org_streams (
  org_id UUID PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  stream_revision BIGINT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Charges applied to token_wallets, exactly once per action (the projection writes both in one
-- transaction with its checkpoint).
CREATE TABLE IF NOT EXISTS credit_ledger (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  action_id UUID NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('charge')),
  amount NUMERIC(14, 4) NOT NULL CHECK (amount >= 0),
  event_id UUID NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL,
  UNIQUE (action_id, kind)
);
CREATE INDEX IF NOT EXISTS idx_credit_ledger_org ON credit_ledger(org_id);

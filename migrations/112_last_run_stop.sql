-- Up Migration
-- The last trigger run of each org that stopped for credits (until a proposal clears it), as
-- revenue.action-run-stopped.v1 recorded it ({opportunityId, creditsFree}: the domain's RunStop):
-- the fleet sweep decides from the read model, and the trigger decision records a stop only when
-- it differs from this one (another opportunity, or other credits left), so a scheduled sweep
-- does not append an event per org without credits on every run. Null: none since the last proposal.
ALTER TABLE revenue_org_streams ADD COLUMN IF NOT EXISTS last_run_stop JSONB;

-- Down Migration
ALTER TABLE revenue_org_streams DROP COLUMN IF EXISTS last_run_stop;

-- Up Migration
-- The API reads the revenue read models as role `authenticated` (SET LOCAL ROLE inside each
-- request's transaction, see libs/database/src/rls-session.ts) so that the RLS policies of
-- migration 103 filter every row it returns. The API's own database user must therefore be
-- a member of `authenticated`; superusers (and Supabase's `postgres`) already may switch.
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'authenticated', 'MEMBER') THEN
    EXECUTE format('GRANT authenticated TO %I', current_user);
  END IF;
END $$;

-- Read-only: policies for INSERT exist in 103, but only the projections (as the owner) write.
GRANT SELECT ON revenue_opportunities, revenue_actions TO authenticated;

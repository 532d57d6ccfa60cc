-- Up Migration
-- Baseline platform objects for standalone use. Each is created only where it does not
-- already exist, so the same migrations also apply to a Supabase database that has them.

-- uuid_generate_v4(): uuid-ossp where the server ships it, otherwise a stand-in over the
-- built-in gen_random_uuid() (same contract: a random version-4 UUID).
DO $$
BEGIN
  IF to_regprocedure('uuid_generate_v4()') IS NULL THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
    EXCEPTION WHEN OTHERS THEN
      CREATE FUNCTION public.uuid_generate_v4() RETURNS uuid
        LANGUAGE sql VOLATILE AS 'SELECT gen_random_uuid()';
    END;
  END IF;
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
END $$;

CREATE SCHEMA IF NOT EXISTS auth;
GRANT USAGE ON SCHEMA auth TO authenticated;

-- Supabase's auth.uid(): the `sub` claim of the request's JWT, as PostgREST (and our API)
-- sets it with set_config('request.jwt.claims', ..., true) inside the request's transaction.
DO $$
BEGIN
  IF to_regprocedure('auth.uid()') IS NULL THEN
    CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $fn$
      SELECT coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
      )::uuid
    $fn$;
  END IF;
END $$;
GRANT EXECUTE ON FUNCTION auth.uid() TO authenticated;

CREATE TABLE IF NOT EXISTS organizations (
  id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
  name TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS user_organizations (
  user_id UUID NOT NULL,
  org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, org_id)
);
CREATE INDEX IF NOT EXISTS idx_user_organizations_org ON user_organizations(org_id);

CREATE TABLE IF NOT EXISTS token_usage (
  id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
  org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  period_start TIMESTAMPTZ NOT NULL,
  text_tokens_used BIGINT NOT NULL DEFAULT 0 CHECK (text_tokens_used >= 0),
  voice_seconds_used BIGINT NOT NULL DEFAULT 0 CHECK (voice_seconds_used >= 0)
);
-- Per-org windows (the spec's queries) and the fleet sweep's range scan over all orgs.
CREATE INDEX IF NOT EXISTS idx_token_usage_org_period ON token_usage(org_id, period_start);
CREATE INDEX IF NOT EXISTS idx_token_usage_period ON token_usage(period_start);

CREATE TABLE IF NOT EXISTS token_wallets (
  org_id UUID PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  tier INTEGER NOT NULL DEFAULT 1 CHECK (tier >= 1),
  balance NUMERIC(14, 4) NOT NULL DEFAULT 0 CHECK (balance >= 0),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The revenue RLS policies look up the caller's memberships as role `authenticated`;
-- a member sees only their own membership rows.
GRANT SELECT ON user_organizations TO authenticated;
ALTER TABLE user_organizations ENABLE ROW LEVEL SECURITY;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'user_organizations' AND policyname = 'user_organizations_self_select') THEN
    CREATE POLICY user_organizations_self_select ON user_organizations
      FOR SELECT TO authenticated USING (user_id = auth.uid());
  END IF;
END $$;

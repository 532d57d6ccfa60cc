-- Up Migration
-- Idempotency-Key records of the command API (apps/api/src/maos/idempotency). One row per
-- (caller, key): the fingerprint of the first request, and once it finished its response,
-- which every retry with the same key and request gets back unchanged. A row still
-- 'running' past its lease belongs to a caller that died mid-request: a retry takes it over
-- (safe: event ids derive from the key, so a repeated command cannot append twice).
CREATE TABLE IF NOT EXISTS api_idempotency_keys (
  principal TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'completed')),
  lease_until TIMESTAMPTZ NOT NULL,
  response_status INTEGER CHECK (response_status BETWEEN 100 AND 599),
  response_headers JSONB,
  response_body JSONB,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at TIMESTAMPTZ,
  PRIMARY KEY (principal, idempotency_key),
  CONSTRAINT api_idempotency_keys_completed_has_response
    CHECK (state <> 'completed' OR (response_status IS NOT NULL AND response_body IS NOT NULL))
);

-- Housekeeping deletes old records by age.
CREATE INDEX IF NOT EXISTS idx_api_idempotency_keys_created ON api_idempotency_keys (created_at);

COMMENT ON TABLE api_idempotency_keys IS 'Idempotency-Key records of the command API: request fingerprint and first response per (principal, key)';

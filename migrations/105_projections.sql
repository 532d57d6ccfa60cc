-- Up Migration
-- State of the projection runner (libs/projections). One row per projection: the live
-- checkpoint, which advances in the same transaction as the read-model writes (exactly once),
-- and the state of a rebuild in progress, kept so a rebuild resumes after a crash instead of
-- starting over. Positions are LogPosition pairs (commit, prepare); NULL = nothing applied yet.

CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name text PRIMARY KEY,
  -- Version of the code that built the live tables; 0 = tables predate the runner (rebuild them).
  version integer NOT NULL CHECK (version >= 0),
  commit_position bigint,
  prepare_position bigint,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'rebuilding', 'halted')),
  -- Set by `rebuild(name)` / the CLI; the active runner clears it when it starts the rebuild.
  rebuild_requested boolean NOT NULL DEFAULT false,
  rebuild_version integer CHECK (rebuild_version >= 1),
  rebuild_commit_position bigint,
  rebuild_prepare_position bigint,
  rebuild_started_at timestamptz,
  -- Why the projection halted (the failing event's error, or a rebuild that cannot swap).
  halted_reason text,
  -- Foreign keys a swap re-created NOT VALID (so readers were not blocked by the check), as
  -- [{"table": ..., "constraint": ...}]; validated right after the swap, or on the next start
  -- if the process died in between.
  pending_validations jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT projection_checkpoints_position_pair CHECK ((commit_position IS NULL) = (prepare_position IS NULL)),
  CONSTRAINT projection_checkpoints_rebuild_position_pair
    CHECK ((rebuild_commit_position IS NULL) = (rebuild_prepare_position IS NULL)),
  CONSTRAINT projection_checkpoints_rebuild_position_needs_rebuild
    CHECK (rebuild_version IS NOT NULL OR rebuild_commit_position IS NULL),
  CONSTRAINT projection_checkpoints_rebuilding_needs_version
    CHECK (status <> 'rebuilding' OR rebuild_version IS NOT NULL)
);

COMMENT ON TABLE projection_checkpoints IS 'Projection runner checkpoints: advanced in the same transaction as the read-model writes';

-- Events a projection could not apply after retries. Never silent: the runner logs them, counts
-- them in its status, and halts or skips per the projection's policy. Ids only (no event data):
-- the event itself stays in the store, found by its position or id.
CREATE TABLE IF NOT EXISTS projection_dead_letters (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  projection text NOT NULL,
  -- text, not uuid: parking must never fail on an adapter's id format.
  event_id text NOT NULL,
  event_type text NOT NULL,
  stream_name text NOT NULL,
  stream_revision bigint NOT NULL,
  commit_position bigint NOT NULL,
  prepare_position bigint NOT NULL,
  error text NOT NULL,
  attempts integer NOT NULL CHECK (attempts >= 1),
  parked_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT projection_dead_letters_event_unique UNIQUE (projection, event_id)
);

CREATE INDEX IF NOT EXISTS idx_projection_dead_letters_parked ON projection_dead_letters (projection, parked_at);

COMMENT ON TABLE projection_dead_letters IS 'Events a projection parked after retries (halt or skip policy)';

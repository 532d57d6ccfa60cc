-- Up Migration
-- Snapshots of folded stream state (libs/event-store/src/snapshots.ts): a command folds the
-- snapshot and only the events after it, so its cost no longer grows with the stream's length.
-- A cache, never the truth: a snapshot is used only when the event it was taken at is still
-- the stream's event at that revision (last_event_id) and its schema is the reader's; anything
-- else is ignored and the stream folded from the start. Works beside either event store (with
-- EventStoreDB the events live there, the snapshots here). Erasure deletes an org's snapshot.

CREATE TABLE IF NOT EXISTS event_store.snapshots (
  stream_name text NOT NULL,
  -- What the state is a fold of (its shape and evolve's rules); bumped when they change.
  schema text NOT NULL,
  -- The revision of the last event folded into `state`, and that event's id.
  revision bigint NOT NULL CHECK (revision >= 0),
  last_event_id uuid NOT NULL,
  state jsonb NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_name, schema)
);

-- Down Migration
DROP TABLE IF EXISTS event_store.snapshots;

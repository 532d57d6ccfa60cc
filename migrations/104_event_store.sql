-- Up Migration
-- The PostgreSQL event store (libs/event-store/src/postgres). Append-only; the adapter is the
-- only writer. See README "The event store" for why readers order by (transaction_id, global_position).

CREATE SCHEMA IF NOT EXISTS event_store;

-- One row per stream: the optimistic-concurrency guard. Appends bump `revision` with a
-- conditional UPDATE / INSERT ... ON CONFLICT, so concurrent writers serialise on this row
-- and never on the events table.
CREATE TABLE event_store.streams (
  stream_name text PRIMARY KEY,
  -- Revision of the stream's last event (zero-based), as EventStoreDB reports it.
  revision bigint NOT NULL CHECK (revision >= 0)
);

CREATE TABLE event_store.events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The writing transaction. Sequence values are taken before commit, so a late commit can
  -- surface a lower global_position after a reader has passed it; readers therefore only take
  -- rows whose transaction is older than every running one (log_horizon below) and checkpoint
  -- on the pair (transaction_id, global_position).
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_name text NOT NULL,
  stream_revision bigint NOT NULL CHECK (stream_revision >= 0),
  -- Unique across the store, as in EventStoreDB: a retried append is recognised by its ids.
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL CHECK (event_type <> ''),
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_name, stream_revision)
);

-- The global log order: catch-up reads are index range scans on this pair.
CREATE INDEX events_log_order_idx ON event_store.events (transaction_id, global_position);

-- Readers take events with transaction_id below this horizon: the oldest transaction still in
-- progress in the reader's snapshot (or the snapshot's xmax when none is), not counting
-- transactions of OTHER databases, which cannot write these events. Plain pg_snapshot_xmin
-- would let any long write transaction anywhere on the cluster (a migration, a bulk load in
-- another database) stall every subscriber. A transaction that ended before pg_stat_activity
-- was read stays counted, which is only conservative; so does one whose backend_xid the
-- reading role may not see (without pg_read_all_stats): the horizon then falls back to xmin.
CREATE FUNCTION event_store.log_horizon() RETURNS xid8 LANGUAGE sql STABLE AS $$
  SELECT coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot()))
  FROM pg_snapshot_xip(pg_current_snapshot()) AS x
  WHERE x::text::int8 % 4294967296 NOT IN (
    SELECT a.backend_xid::text::int8 FROM pg_stat_activity a
    WHERE a.backend_xid IS NOT NULL
      AND a.datid IS DISTINCT FROM (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
  )
$$;

-- Live subscribers are woken by NOTIFY event_store_appended, sent by the adapter after each
-- append commits (libs/event-store/src/postgres/append-announcer.ts), not by a trigger here:
-- NOTIFY inside the appending transaction holds the notify lock across its commit flush and so
-- serialises all appenders. Subscribers also poll, which covers writes made by plain SQL.

COMMENT ON SCHEMA event_store IS 'Event store of the PostgreSQL adapter; written only through libs/event-store.';

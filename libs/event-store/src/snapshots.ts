import { sql, type DatabasePool } from '#database';

/** A folded state at a revision of its stream, and the id of the event at that revision. */
export interface Snapshot<State> {
  readonly state: State;
  readonly revision: bigint;
  readonly lastEventId: string;
}

/** Where snapshots live. A cache: losing one costs a longer fold, never a wrong state. */
export interface SnapshotStore {
  load<State>(streamName: string, schema: string): Promise<Snapshot<State> | null>;
  /** Keeps the newer of this and the stored one (a slower writer never moves it back). */
  save<State>(streamName: string, schema: string, snapshot: Snapshot<State>): Promise<void>;
  /** Every schema's snapshot of the stream (privacy erasure). */
  delete(streamName: string): Promise<void>;
}

/** How decideOnStream uses snapshots: whose, of which schema, and how many events to fold before taking a new one. */
export interface SnapshotPolicy {
  readonly store: SnapshotStore;
  /** What the state is a fold of; bump it when the state's shape or evolve's rules change. */
  readonly schema: string;
  /** Take a snapshot once a load folded at least this many events after the last one. */
  readonly every: number;
}

type Row = { revision: bigint; last_event_id: string; state: unknown };

/** Snapshots in PostgreSQL (table event_store.snapshots, migration 117), beside either event store. */
export class PostgresSnapshotStore implements SnapshotStore {
  constructor(private readonly pool: DatabasePool) {}

  async load<State>(streamName: string, schema: string): Promise<Snapshot<State> | null> {
    const row = (await this.pool.maybeOne(sql.unsafe`
      SELECT revision, last_event_id, state FROM event_store.snapshots WHERE stream_name = ${streamName} AND schema = ${schema}`)) as Row | null;
    return row ? { state: row.state as State, revision: BigInt(row.revision), lastEventId: row.last_event_id } : null;
  }

  async save<State>(streamName: string, schema: string, snapshot: Snapshot<State>): Promise<void> {
    await this.pool.query(sql.unsafe`
      INSERT INTO event_store.snapshots AS s (stream_name, schema, revision, last_event_id, state)
      VALUES (${streamName}, ${schema}, ${snapshot.revision.toString()}::int8, ${snapshot.lastEventId}::uuid, ${sql.jsonb(snapshot.state as never)})
      ON CONFLICT (stream_name, schema) DO UPDATE
      SET revision = EXCLUDED.revision, last_event_id = EXCLUDED.last_event_id, state = EXCLUDED.state, taken_at = now()
      WHERE s.revision < EXCLUDED.revision`);
  }

  async delete(streamName: string): Promise<void> {
    await this.pool.query(sql.unsafe`DELETE FROM event_store.snapshots WHERE stream_name = ${streamName}`);
  }
}

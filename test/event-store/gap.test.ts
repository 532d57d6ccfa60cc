import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createDatabasePool, sql, type DatabasePool } from '#database';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { comparePositions, type RecordedEvent } from '#event-store';
import { PostgresEventStore } from '#event-store';
import { newEvent, pull } from '#event-store/testing';

/**
 * The gap bug: sequence values are taken before commit, so a reader that checkpoints on
 * global_position alone passes a slow transaction's events before they commit, and never
 * sees them. Here "slow-" writers are parked ON PURPOSE inside their append statement, after
 * their events got positions, while fast writers commit higher positions; then released.
 * A subscriber must still get every event exactly once, in log order; a naive reader
 * polling by global_position must miss the parked ones (proving the scenario bites).
 */
const PARK_LOCK = 4242; // also written in the trigger below
const FAST_WRITERS = 8;
const SLOW_WRITERS = 4;
const ROUNDS = 3;
const MIN_APPENDS_PER_WRITER = 15;

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe('gap-safe global log under out-of-order commits', () => {
  let db: TestDatabase;
  let writerPool: DatabasePool;
  let control: pg.Client;
  let writers: PostgresEventStore;
  let readers: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Test-only trigger: appends to "slow-" streams wait on an advisory lock the test holds,
    // then dawdle a little, inside the append's transaction and after its positions are taken.
    await db.pool.query(sql.unsafe`
      CREATE FUNCTION gap_test_park() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM appended WHERE stream_name LIKE 'slow-%') THEN
          PERFORM pg_advisory_xact_lock_shared(4242); -- PARK_LOCK
          PERFORM pg_sleep(random() * 0.02);
        END IF;
        RETURN NULL;
      END $$`);
    await db.pool.query(sql.unsafe`
      CREATE TRIGGER gap_test_park AFTER INSERT ON event_store.events
      REFERENCING NEW TABLE AS appended FOR EACH STATEMENT EXECUTE FUNCTION gap_test_park()`);
    writerPool = await createDatabasePool(db.url, { maximumPoolSize: FAST_WRITERS + SLOW_WRITERS + 2 });
    // slonik emits every query error on the pool; with no listener Node rethrows it, and under
    // Jest's VM realms it comes out wrapped as ERR_UNHANDLED_ERROR instead of the typed error.
    for (const pool of [db.pool, writerPool]) pool.on('error', () => undefined);
    writers = new PostgresEventStore({ pool: writerPool, connectionUrl: db.url });
    readers = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, pollIntervalMs: 50 });
    control = new pg.Client({ connectionString: db.url });
    await control.connect();
  });

  afterAll(async () => {
    await control?.end();
    await readers?.close();
    await writers?.close();
    await writerPool?.end();
    await db?.drop();
  });

  it('delivers every event exactly once, in order, where a global_position reader skips some', async () => {
    let gateDone = false;
    const appended: string[] = [];
    const slowIds = new Set<string>();

    async function writer(name: string): Promise<void> {
      let expected: bigint | 'no_stream' = 'no_stream';
      for (let n = 0; !gateDone || n < MIN_APPENDS_PER_WRITER; n++) {
        const events = Array.from({ length: 1 + (n % 3) }, () => newEvent('gap.appended.v1', { name, n }));
        const result = await writers.append(name, events, expected);
        expected = result.nextExpectedRevision;
        for (const e of events) {
          appended.push(e.metadata.eventId);
          if (name.startsWith('slow-')) slowIds.add(e.metadata.eventId);
        }
      }
    }

    // The bug as shipped by many: checkpoint = highest global_position seen.
    const naive = { last: 0n, seen: new Set<string>(), stop: false };
    async function naiveReader(): Promise<void> {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const readOnce = async () => {
          const { rows } = await client.query<{ global_position: string; event_id: string }>(
            'SELECT global_position, event_id FROM event_store.events WHERE global_position > $1 ORDER BY global_position LIMIT 500',
            [naive.last.toString()],
          );
          for (const row of rows) naive.seen.add(row.event_id);
          if (rows.length > 0) naive.last = BigInt(rows[rows.length - 1]!.global_position);
        };
        while (!naive.stop) {
          await readOnce();
          await tick(2);
        }
        await readOnce();
      } finally {
        await client.end();
      }
    }

    // Parks slow writers mid-append, lets the naive reader pass their positions, releases them.
    const parkedRounds: number[] = [];
    async function gate(): Promise<void> {
      for (let round = 0; round < ROUNDS; round++) {
        await control.query('SELECT pg_advisory_lock($1)', [PARK_LOCK]);
        let parked = 0;
        while (parked < 2) {
          const { rows } = await control.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
            [PARK_LOCK],
          );
          parked = Number(rows[0]!.n);
          await tick();
        }
        // sequence state is not transactional: this is above every parked writer's position
        const { rows } = await control.query<{ last_value: string }>('SELECT last_value FROM event_store.events_global_position_seq');
        const above = BigInt(rows[0]!.last_value);
        while (naive.last <= above) await tick();
        parkedRounds.push(parked);
        await control.query('SELECT pg_advisory_unlock($1)', [PARK_LOCK]);
        const progress = appended.length;
        while (appended.length < progress + 40) await tick();
      }
      gateDone = true;
    }

    const controller = new AbortController();
    const iterator = readers.subscribeToAll({ signal: controller.signal, maxBatchSize: 100 })[Symbol.asyncIterator]();
    const received: RecordedEvent[] = [];
    // the sentinel is appended after every writer finished: once it arrives, nothing is pending
    const sentinel = newEvent('gap.sentinel.v1');
    const subscriber = pull(iterator, (events) => events.some((e) => e.metadata.eventId === sentinel.metadata.eventId), received);

    const naiveDone = naiveReader();
    const writing = Promise.all([
      ...Array.from({ length: FAST_WRITERS }, (_, i) => writer(`fast-${i}`)),
      ...Array.from({ length: SLOW_WRITERS }, (_, i) => writer(`slow-${i}`)),
    ]);
    await gate();
    await writing;
    await writers.append('sentinel', [sentinel], 'no_stream');
    await subscriber;
    controller.abort();
    naive.stop = true;
    await naiveDone;

    const receivedIds = received.map((e) => e.metadata.eventId).filter((id) => id !== sentinel.metadata.eventId);
    expect(parkedRounds).toHaveLength(ROUNDS);
    expect(new Set(receivedIds).size).toBe(receivedIds.length);
    expect([...receivedIds].sort()).toEqual([...appended].sort());
    expect(received.every((e, i) => i === 0 || comparePositions(received[i - 1]!.position, e.position) < 0)).toBe(true);
    // commits really were out of order: log order differs from global_position order
    expect(received.some((e, i) => i > 0 && e.position.prepare < received[i - 1]!.position.prepare)).toBe(true);
    // at least the parked appends (two or more per round, one event or more each) were skipped
    const missedSlow = appended.filter((id) => !naive.seen.has(id) && slowIds.has(id));
    expect(missedSlow.length).toBeGreaterThanOrEqual(2 * ROUNDS);
  });
});

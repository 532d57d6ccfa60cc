import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { sql } from '#database';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { ids, newEvent } from '../../test-support/contract-helpers.js';
import type { ExpectedRevision } from '../event-store.port.js';
import { PostgresEventStore } from './postgres-event-store.js';

/**
 * Identical appends that really overlap: a test-only trigger parks the first one inside its
 * transaction (after its rows are written, before commit) until the test lets it go, while
 * the second one runs into its locks. Both must come back with the first result.
 */
describe('PostgresEventStore: racing retries', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let control: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    // slonik emits every query error on the pool; with no listener Node rethrows it, and under
    // Jest's VM realms it comes out wrapped as ERR_UNHANDLED_ERROR instead of the typed error.
    db.pool.on('error', () => undefined);
    await db.pool.query(sql.unsafe`
      CREATE FUNCTION race_test_park() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM appended WHERE stream_name LIKE 'parked-%') THEN
          PERFORM pg_advisory_xact_lock_shared(4343);
        END IF;
        RETURN NULL;
      END $$`);
    await db.pool.query(sql.unsafe`
      CREATE TRIGGER race_test_park AFTER INSERT ON event_store.events
      REFERENCING NEW TABLE AS appended FOR EACH STATEMENT EXECUTE FUNCTION race_test_park()`);
    store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url });
    control = new pg.Client({ connectionString: db.url });
    await control.connect();
  });

  afterAll(async () => {
    await control?.end();
    await store?.close();
    await db?.drop();
  });

  /** Sessions of this database waiting on a lock (the parked append, then its twin). */
  async function untilWaiting(count: number): Promise<void> {
    for (let tries = 0; tries < 1000; tries++) {
      const { rows } = await control.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (Number(rows[0]!.n) >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`fewer than ${count} sessions ever waited on a lock`);
  }

  it.each<[string, ExpectedRevision, boolean]>([
    ['any', 'any', false],
    ['no_stream', 'no_stream', false],
    ['an exact revision', 0n, true],
  ])('with expected revision %s, both return the first result and the events are stored once', async (_, expected, seed) => {
    const s = `parked-${randomUUID().slice(0, 8)}`;
    if (seed) await store.append(s, [newEvent('race.v1')], 'no_stream'); // nobody holds the lock yet: not parked
    const events = [newEvent('race.v1'), newEvent('race.v1')];
    await control.query('SELECT pg_advisory_lock(4343)');
    const first = store.append(s, events, expected);
    await untilWaiting(1);
    const second = store.append(s, events, expected);
    await untilWaiting(2);
    await control.query('SELECT pg_advisory_unlock(4343)');
    const [a, b] = await Promise.all([first, second]);
    expect(b).toEqual(a);
    expect(ids(await store.readStream(s, { fromRevision: seed ? 1n : 0n }))).toEqual(ids(events));
  });

  it('a deletion waiting behind an append also erases what that append wrote (no orphan events)', async () => {
    const s = `parked-${randomUUID().slice(0, 8)}`;
    await store.append(s, [newEvent('race.v1')], 'no_stream');
    await control.query('SELECT pg_advisory_lock(4343)');
    const appending = store.append(s, [newEvent('race.v1')], 0n);
    await untilWaiting(1);
    const deleting = store.deleteStream(s);
    await untilWaiting(2);
    await control.query('SELECT pg_advisory_unlock(4343)');
    await Promise.all([appending, deleting]);
    const left = await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM event_store.events WHERE stream_name = ${s}`);
    expect(left).toBe(0n);
  });
});

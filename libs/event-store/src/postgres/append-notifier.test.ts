import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { completes, newEvent, pull } from '../../test-support/contract-helpers.js';
import { PostgresEventStore } from './postgres-event-store.js';

/** The LISTEN side, observed from the server: pg_stat_activity of this test's database. */
describe('append notifications (LISTEN connection)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    db.pool.on('error', () => undefined); // see postgres-event-store.test.ts
    // a poll interval far beyond the test's patience: deliveries below come from notifications
    store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, pollIntervalMs: 600_000 });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const listeners = async (): Promise<number> =>
    Number(
      await db.pool.oneFirst(sql.unsafe`
        SELECT count(*) FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'event-store-listener'
          AND state = 'idle' AND query = 'LISTEN event_store_appended'`),
    );
  async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
    for (let tries = 0; tries < 400; tries++) {
      if (await condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`never happened: ${what}`);
  }

  it('shares one connection between subscriptions and closes it when the last one ends', async () => {
    const type = `shared-${randomUUID()}.v1`;
    await store.append(`s-${randomUUID()}`, [newEvent(type)], 'no_stream');
    const controller = new AbortController();
    const iterators = [1, 2].map(() => store.subscribeToAll({ eventTypes: [type], signal: controller.signal })[Symbol.asyncIterator]());
    for (const iterator of iterators) await pull(iterator, (r) => r.length >= 1);
    expect(await listeners()).toBe(1);
    controller.abort();
    for (const iterator of iterators) await completes(iterator);
    await until(async () => (await listeners()) === 0, 'listener connection closed');
  });

  it('wakes a live subscription on append, and again after its connection was killed and re-opened', async () => {
    const type = `wake-${randomUUID()}.v1`;
    const controller = new AbortController();
    const iterator = store.subscribeToAll({ eventTypes: [type], signal: controller.signal })[Symbol.asyncIterator]();
    const pending = iterator.next(); // catch-up finds nothing: it now sleeps until notified
    await until(async () => (await listeners()) === 1, 'listener connected');
    await store.append(`s-${randomUUID()}`, [newEvent(type)], 'no_stream');
    expect((await pending).value).toHaveLength(1);

    await db.pool.query(sql.unsafe`
      SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'event-store-listener'`);
    const afterKill = iterator.next();
    await until(async () => (await listeners()) === 1, 'listener re-opened');
    await store.append(`s-${randomUUID()}`, [newEvent(type)], 'no_stream');
    expect((await afterKill).value).toHaveLength(1);
    controller.abort();
    await completes(iterator);
  });
});

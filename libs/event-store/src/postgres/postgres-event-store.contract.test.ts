import { createTestDatabase } from '#database/testing';
import { describeEventStoreContract } from '../../test-support/contract.js';
import { PostgresEventStore } from './postgres-event-store.js';

describeEventStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  // slonik emits every query error on the pool; with no listener Node rethrows it, and under
  // Jest's VM realms it comes out wrapped as ERR_UNHANDLED_ERROR instead of the typed error.
  db.pool.on('error', () => undefined);
  const store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, pollIntervalMs: 100 });
  return {
    store,
    teardown: async () => {
      await store.close();
      await db.drop();
    },
  };
});

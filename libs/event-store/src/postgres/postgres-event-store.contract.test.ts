import { createTestDatabase } from '../../../database/src/testing.js';
import { describeEventStoreContract } from '../../test-support/contract.js';
import { PostgresEventStore } from './postgres-event-store.js';

describeEventStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  const store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, pollIntervalMs: 100 });
  return {
    store,
    teardown: async () => {
      await store.close();
      await db.drop();
    },
  };
});

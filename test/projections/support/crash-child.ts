// A projection runner in its own process, for the crash test to kill with SIGKILL mid-way.
// Run: node --import tsx test/projections/support/crash-child.ts  (CRASH_DB_URL = the test database)
import { createDatabasePool } from '#database';
import { PostgresEventStore } from '#event-store';
import { ProjectionRunner } from '#projection-runner';
import { counterProjection } from './counter-projection.js';

const url = process.env.CRASH_DB_URL;
if (!url) throw new Error('CRASH_DB_URL is not set');
const pool = await createDatabasePool(url, { maximumPoolSize: 4 });
const store = new PostgresEventStore({ pool, connectionUrl: url, pollIntervalMs: 100 });
const runner = new ProjectionRunner({
  store,
  pool,
  connectionUrl: url,
  // Slow on purpose (sleeps inside each batch's transaction), so the kill lands mid-projection.
  projections: [counterProjection({ sleepMsPerBatch: Number(process.env.CRASH_SLEEP_MS ?? 25) })],
  batchSize: Number(process.env.CRASH_BATCH_SIZE ?? 500),
  lockRetryMs: 50,
  controlPollMs: 200,
});
runner.start();
process.stdout.write('runner started\n');

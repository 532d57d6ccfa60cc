// Catch-up throughput of the projection runner (a benchmark, not a test: no timed assertions).
// Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx test/projections/catch-up.bench.ts [events] [batchSize]
// Appends N events to a fresh migrated database, then measures (1) the live runner catching up
// from zero into a real table (one row per event + a per-stream counter, set-based SQL) and
// (2) a rebuild of the same model into shadow tables followed by the swap.
import { randomBytes } from 'node:crypto';
import { createDatabase, createDatabasePool, dropDatabase, migrate, sql } from '../../libs/database/src/index.js';
import { PostgresEventStore } from '../../libs/event-store/src/index.js';
import { ProjectionRunner, type Projection } from '../../libs/projections/src/index.js';
import { COUNTED } from './support/counter-projection.js';
import { appendCounted } from './support/log.js';

const serverUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const total = Number(process.argv[2] ?? 200_000);
const batchSize = Number(process.argv[3] ?? 2000);

const projection: Projection = {
  name: 'bench-entries',
  version: 1,
  eventTypes: [COUNTED],
  tables: ['bench_streams', 'bench_entries'],
  onError: 'halt',
  async apply(tx, events, tables) {
    const rows = events.map((e) => [e.metadata.eventId, e.streamName, (e.data as { amount: number }).amount]);
    await tx.query(sql.unsafe`
      INSERT INTO ${tables.of('bench_entries')} (id, stream, amount)
      SELECT * FROM ${sql.unnest(rows, ['uuid', 'text', 'int8'])}`);
    await tx.query(sql.unsafe`
      INSERT INTO ${tables.of('bench_streams')} AS s (stream, events, total)
      SELECT stream, count(*), sum(amount) FROM ${sql.unnest(rows, ['uuid', 'text', 'int8'])} AS u(id, stream, amount) GROUP BY stream
      ON CONFLICT (stream) DO UPDATE SET events = s.events + excluded.events, total = s.total + excluded.total`);
  },
};

const name = `re_bench_${randomBytes(4).toString('hex')}`;
const url = await createDatabase(serverUrl, name);
const pool = await createDatabasePool(url);
const store = new PostgresEventStore({ pool, connectionUrl: url });
try {
  await migrate(url);
  await pool.query(sql.unsafe`CREATE TABLE bench_streams (stream text PRIMARY KEY, events bigint NOT NULL, total bigint NOT NULL)`);
  await pool.query(sql.unsafe`CREATE TABLE bench_entries (id uuid PRIMARY KEY, stream text NOT NULL, amount bigint NOT NULL)`);
  await pool.query(sql.unsafe`CREATE INDEX bench_entries_stream ON bench_entries (stream)`);
  let started = performance.now();
  const head = await appendCounted(store, total, { streams: 1000 });
  report('append (appendMany, 5000 per call)', started);

  const runner = new ProjectionRunner({ store, pool, connectionUrl: url, projections: [projection], batchSize, logger: quiet() });
  started = performance.now();
  runner.start();
  if (!(await runner.waitFor(projection.name, head, 600_000))) throw new Error('catch-up did not finish');
  report(`live catch-up, batches of ${batchSize}`, started);

  started = performance.now();
  await runner.rebuild(projection.name);
  report('rebuild into shadows + swap', started);
  await runner.stop();
} finally {
  await store.close();
  await pool.end();
  await dropDatabase(serverUrl, name);
}

function report(what: string, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  console.log(`${what}: ${total} events in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} events/s`);
}

function quiet() {
  const log = () => undefined;
  return { info: log, warn: log, error: (fields: object, message: string) => console.error(message, fields) };
}

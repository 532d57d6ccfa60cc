// The process that rebuilds, so its peak RSS is the rebuild's alone:
//   node rebuild-child.js <database url> <expected events>
// Prints one JSON line: { split (wall, node and postgres CPU of the rebuild), maxRssMiB }.
import { createDatabasePool } from '#database';
import { PostgresEventStore } from '#event-store';
import { ProjectionRunner } from '#projection-runner';
import { measureCpu } from '../support/cpu.js';
import { assertEntries, entriesProjection, quietLogger } from '../support/entries-projection.js';

const [url, expected] = process.argv.slice(2);
if (!url || !expected) throw new Error('usage: rebuild-child.js <database url> <expected events>');
const pool = await createDatabasePool(url);
const store = new PostgresEventStore({ pool, connectionUrl: url });
const projection = entriesProjection();
const runner = new ProjectionRunner({ store, pool, connectionUrl: url, projections: [projection], logger: quietLogger });
try {
  runner.start();
  const { split } = await measureCpu(pool, () => runner.rebuild(projection.name, { timeoutMs: 900_000 }));
  await assertEntries(pool, Number(expected));
  process.stdout.write(`${JSON.stringify({ split, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
} finally {
  await runner.stop();
  await store.close();
  await pool.end();
}

import { createTestDatabase, type TestDatabase } from '#database/testing';
import { PostgresEventStore } from '#event-store';
import { ProjectionRunner, postgresLogLag, type AnyProjection, type ProjectionRunnerOptions } from '#projection-runner';
import { captureLogger } from './log.js';

/** One test database with a PostgreSQL event store, and runners that are all stopped at the end. */
export interface Harness {
  readonly db: TestDatabase;
  readonly store: PostgresEventStore;
  runner(projections: readonly AnyProjection[], options?: Partial<ProjectionRunnerOptions>): ProjectionRunner;
  readonly log: ReturnType<typeof captureLogger>;
  close(): Promise<void>;
}

export async function createHarness(): Promise<Harness> {
  const db = await createTestDatabase();
  const store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, pollIntervalMs: 50 });
  const runners: ProjectionRunner[] = [];
  const log = captureLogger();
  return {
    db,
    store,
    log,
    runner(projections, options = {}) {
      const runner = new ProjectionRunner({
        store,
        pool: db.pool,
        connectionUrl: db.url,
        projections,
        logger: log.logger,
        lag: postgresLogLag(db.pool),
        batchSize: 500,
        lockRetryMs: 50,
        controlPollMs: 50,
        retry: { attempts: 3, backoffMs: 5 },
        ...options,
      });
      runners.push(runner);
      return runner;
    },
    async close() {
      await Promise.all(runners.map((r) => r.stop()));
      await store.close();
      await db.drop();
    },
  };
}

import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { formatPosition, parsePosition, PostgresEventStore, type EventStore } from '#event-store';
import { ProjectionRunner, postgresLogLag } from '#projection-runner';
import type { Clock, RevenueDeps } from '#revenue-commands';
import { allProjections } from '#read-models';
import { defaultRuleSet } from '#revenue';

export const AS_OF = new Date('2026-11-01T00:00:00.000Z');

/** A settable clock: every test decides at a chosen instant. */
export class TestClock implements Clock {
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * 86_400_000);
  }
}

/**
 * What every revenue integration test stands on: its own database, the PostgreSQL event store,
 * both projections running, and the command dependencies with a test clock.
 */
export interface RevenueStack {
  readonly db: TestDatabase;
  readonly store: PostgresEventStore;
  readonly clock: TestClock;
  readonly deps: RevenueDeps;
  /** The current runner (pause/resume replaces it). */
  readonly runner: ProjectionRunner;
  /** Asks whichever runner is current, as a long-lived process asks its one runner. */
  readonly waiter: Pick<ProjectionRunner, 'waitFor'>;
  /** Stops the projections (the read model freezes) until resumeProjections(). */
  pauseProjections(): Promise<void>;
  resumeProjections(): void;
  /** Read-your-writes for the test's own reads: both projections include `position`. */
  caughtUp(position: string | null | undefined): Promise<void>;
  close(): Promise<void>;
}

/**
 * Read-your-writes for a test's own reads after batch work: every projection has applied
 * everything committed so far (the committed head: the readable one may still hide a write that
 * an older open transaction precedes). Works on a RevenueStack and on a Runtime.
 */
export async function caughtUpWithCommitted(
  source: { readonly store: Pick<EventStore, 'committedHead'>; readonly runner: Pick<ProjectionRunner, 'waitForAll'> },
  timeoutMs = 30_000,
): Promise<void> {
  const head = await source.store.committedHead();
  if (head && !(await source.runner.waitForAll(head, timeoutMs))) throw new Error(`the projections did not reach ${formatPosition(head)}`);
}

export async function createRevenueStack(): Promise<RevenueStack> {
  const db = await createTestDatabase();
  const store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, pollIntervalMs: 50 });
  const clock = new TestClock(AS_OF);
  const newRunner = () =>
    new ProjectionRunner({
      store,
      pool: db.pool,
      connectionUrl: db.url,
      projections: allProjections,
      lag: postgresLogLag(db.pool),
      lockRetryMs: 50,
      controlPollMs: 50,
      logger: { info: () => undefined, warn: () => undefined, error: (m) => console.error(m) },
    });
  let runner = newRunner();
  runner.start();
  return {
    db,
    store,
    clock,
    deps: { store, pool: db.pool, clock, ruleSet: defaultRuleSet },
    get runner() {
      return runner;
    },
    waiter: { waitFor: (name, position, ms) => runner.waitFor(name, position, ms) },
    pauseProjections: () => runner.stop(),
    resumeProjections() {
      runner = newRunner();
      runner.start();
    },
    async caughtUp(position) {
      const target = position ? parsePosition(position) : null;
      if (!target) return;
      for (const p of allProjections) {
        if (!(await runner.waitFor(p.name, target, 20_000))) throw new Error(`${p.name} did not reach ${position}`);
      }
    },
    async close() {
      await runner.stop();
      await store.close();
      await db.drop();
    },
  };
}

/** A pino destination that keeps the JSON lines for assertions. */
export function captureLogLines(): { readonly lines: Array<Record<string, unknown>>; readonly sink: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, sink };
}

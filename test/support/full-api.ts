import 'reflect-metadata';
import { createApp, featureModules, loadConfig } from '#api';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { createLogger } from '#observability';
import { openRuntime, type Runtime, type RuntimeOptions } from '#runtime';
import type { RunningApi } from '../api-platform/harness.js';
import { AS_OF, captureLogLines, TestClock } from './revenue-stack.js';

const quiet = { info: () => undefined, warn: () => undefined, error: (fields: object, message: string) => console.error(message, fields) };

export interface FullApi {
  readonly db: TestDatabase;
  readonly runtime: Runtime;
  readonly api: RunningApi;
  readonly clock: TestClock;
  close(): Promise<void>;
}

/**
 * The real app (every feature module, as `npm start` composes them) over a real runtime on a
 * test database, projections running, listening on a free port. `before` runs between the
 * runtime and the app (e.g. a scheduler's first runs).
 */
export async function startFullApi(
  options: {
    readonly channels?: RuntimeOptions['channels'];
    /** Unset: the specification's rules (openRuntime's default). */
    readonly ruleSet?: RuntimeOptions['ruleSet'];
    readonly before?: (runtime: Runtime, clock: TestClock) => Promise<void>;
  } = {},
): Promise<FullApi> {
  const db = await createTestDatabase();
  const clock = new TestClock(AS_OF);
  const runtime = await openRuntime({
    databaseUrl: db.url,
    clock,
    logger: quiet,
    poolSize: 4,
    ...(options.channels ? { channels: options.channels } : {}),
    ...(options.ruleSet ? { ruleSet: options.ruleSet } : {}),
  });
  runtime.runner.start();
  await options.before?.(runtime, clock);
  const { lines: logs, sink } = captureLogLines();
  const app = await createApp({
    config: loadConfig({ NODE_ENV: 'test', RATE_LIMIT: '1000000' }),
    pool: runtime.pool,
    logger: createLogger({ level: 'info', destination: sink }),
    modules: featureModules(runtime),
  });
  await app.listen(0, '127.0.0.1');
  const api: RunningApi = { app, baseUrl: (await app.getUrl()).replace('[::1]', '127.0.0.1'), logs, close: () => app.close() };
  return {
    db,
    runtime,
    api,
    clock,
    async close() {
      await app.close();
      await runtime.close();
      await db.drop();
    },
  };
}

import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { createLogger, createMetricsRegistry, type Logger } from '#observability';
import { openRuntime, type Runtime } from '#runtime';
import type { ApiConfig } from './config.js';
import { createApp } from './create-app.js';
import { commandMetrics } from './ops/command-metrics.js';

export interface RunningServer {
  readonly app: INestApplication;
  readonly url: string;
  readonly config: ApiConfig;
  readonly logger: Logger;
  readonly runtime: Runtime;
}

export interface BootstrapOptions {
  /** The feature modules, given the runtime (event store, pool, projections, command deps). */
  readonly modules?: (runtime: Runtime) => ReadonlyArray<Type | DynamicModule>;
  /** Defaults to JSON lines on stdout at LOG_LEVEL. */
  readonly logger?: Logger;
}

/**
 * The whole start-up after config validation, in order: PostgreSQL (DATABASE_URL, or an
 * embedded server under .data/) -> migrations -> pool -> event store -> projections (in this
 * process when RUN_PROJECTIONS) -> Nest -> listen. Closing the app finishes in-flight requests,
 * then the projections' in-flight batch, then closes the store, the pool and an embedded server.
 */
export async function bootstrap(config: ApiConfig, options: BootstrapOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const registry = createMetricsRegistry();
  const runtime = await openRuntime({
    databaseUrl: config.DATABASE_URL,
    eventStoreUrl: config.EVENTSTORE_URL,
    logger,
    observe: commandMetrics(registry),
  });
  try {
    if (config.RUN_PROJECTIONS) runtime.runner.start();
    const modules = options.modules?.(runtime) ?? [];
    const app = await createApp({ config, pool: runtime.pool, logger, registry, modules, onClose: () => runtime.close() });
    await app.listen(config.PORT, config.HOST);
    const url = await app.getUrl();
    const { server } = runtime;
    // The one line that says what runs where.
    logger.info(
      {
        url,
        adapter: config.HTTP_ADAPTER,
        runProjections: config.RUN_PROJECTIONS,
        eventStore: runtime.eventStoreKind,
        postgres: server.embedded
          ? { embedded: true, dataDir: server.dataDir, port: server.port, pid: server.pid, origin: server.origin }
          : { embedded: false },
      },
      'revenue-engine api started',
    );
    return { app, url, config, logger, runtime };
  } catch (error) {
    await runtime.close().catch(() => undefined);
    throw error;
  }
}

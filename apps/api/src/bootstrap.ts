import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { acquirePostgres, createDatabasePool, migrate } from '../../../libs/database/src/index.js';
import { createLogger, type Logger } from '../../../libs/observability/src/index.js';
import type { ApiConfig } from './config.js';
import { createApp } from './create-app.js';

export interface RunningServer {
  readonly app: INestApplication;
  readonly url: string;
  readonly config: ApiConfig;
  readonly logger: Logger;
}

/**
 * The whole start-up after config validation, in order: PostgreSQL (DATABASE_URL,
 * or an embedded server under .data/) -> migrations -> pool -> Nest -> listen. Closing the app
 * closes the pool and stops an embedded server, after in-flight requests have finished.
 */
export interface BootstrapOptions {
  readonly modules?: ReadonlyArray<Type | DynamicModule>;
  /** Defaults to JSON lines on stdout at LOG_LEVEL. */
  readonly logger?: Logger;
}

export async function bootstrap(config: ApiConfig, options: BootstrapOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const modules = options.modules ?? [];
  const server = await acquirePostgres(config.DATABASE_URL);
  try {
    const applied = await migrate(server.url, (line) => logger.debug({ migration: line }, 'migrate'));
    logger.info({ applied, embeddedPostgres: server.embedded }, 'database ready');
    const pool = await createDatabasePool(server.url);
    const release = async () => {
      await pool.end();
      await server.stop();
    };
    const app = await createApp({ config, pool, logger, modules, onClose: release }).catch(async (error: unknown) => {
      await pool.end();
      throw error;
    });
    await app.listen(config.PORT, config.HOST);
    const url = await app.getUrl();
    logger.info(
      {
        url,
        adapter: config.HTTP_ADAPTER,
        runProjections: config.RUN_PROJECTIONS,
        eventStore: config.EVENTSTORE_URL ? 'eventstoredb' : 'postgres',
      },
      'listening',
    );
    return { app, url, config, logger };
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw error;
  }
}

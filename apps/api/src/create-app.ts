import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DatabasePool } from '#database';
import { createLogger, createMetricsRegistry, histogram, type Logger, type Registry } from '#observability';
import { AppModule } from './app.module.js';
import type { ApiConfig } from './config.js';
import { createHttpPlatform } from './platform/http/http-platform.js';
import { NestLogger } from './platform/http/nest-logger.js';
import { BodyNotAcceptedInterceptor } from './platform/http/body-rules.js';
import { installRequestHooks } from './platform/http/request-hooks.js';
import { setupApiDocs } from './ops/api-docs.js';
import { setupDashboard } from './ops/dashboard-site.js';

export interface CreateAppOptions {
  readonly config: ApiConfig;
  /** The caller owns the pool (main.ts, or a test's database); pass onClose to release it with the app. */
  readonly pool: DatabasePool;
  readonly logger?: Logger;
  readonly modules?: ReadonlyArray<Type | DynamicModule>;
  readonly onClose?: () => Promise<void>;
  readonly clock?: () => number;
  /** Shared with code outside Nest that records metrics (e.g. command latency); a fresh one by default. */
  readonly registry?: Registry;
  /** The built dashboard to serve at /dashboard/ (default: the repository's dist/dashboard). */
  readonly dashboardDir?: string;
}

/**
 * Builds and initialises the API without listening: main.ts calls listen(PORT), e2e tests
 * listen(0). Each app gets its own metrics registry, so several can live in one process.
 */
export async function createApp(options: CreateAppOptions): Promise<INestApplication> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const registry = options.registry ?? createMetricsRegistry();
  const platform = createHttpPlatform(config.HTTP_ADAPTER, config.BODY_LIMIT);
  installRequestHooks(
    platform.adapter,
    logger,
    histogram(registry, {
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    platform.routes,
  );
  const module = AppModule.forRoot({
    config,
    pool: options.pool,
    logger,
    registry,
    modules: options.modules ?? [],
    ...(options.onClose ? { onClose: options.onClose } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = await NestFactory.create(module, platform.adapter, {
    ...platform.nestOptions,
    logger: new NestLogger(logger),
    abortOnError: false, // throw instead of process.exit, so callers (and tests) see the error
  });
  platform.afterCreate(app);
  app.useGlobalInterceptors(new BodyNotAcceptedInterceptor());
  app.useSecurityHeaders();
  setupApiDocs(app);
  setupDashboard(app, { logger, ...(options.dashboardDir ? { dir: options.dashboardDir } : {}) });
  await app.init();
  return app;
}

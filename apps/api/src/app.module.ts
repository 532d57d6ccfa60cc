import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import type { DatabasePool } from '#database';
import type { Logger, Registry } from '#observability';
import { AccessGuard } from './platform/auth/access.guard.js';
import { createJwtVerifier } from './platform/auth/jwt-verifier.js';
import { OrgResolver } from './platform/auth/org-resolver.js';
import { FixedWindowRateLimiter } from './platform/auth/rate-limiter.js';
import type { ApiConfig } from './config.js';
import { ProblemFilter } from './platform/errors/problem.filter.js';
import { createValidationPipe } from './platform/errors/validation.js';
import { MeModule } from './me/me.module.js';
import { OpsModule } from './ops/ops.module.js';
import { ReadinessChecks } from './platform/ops/readiness-checks.js';
import { SHUTDOWN_OPTIONS, ShutdownCoordinator, type ShutdownOptions } from './platform/ops/shutdown-coordinator.js';
import { API_CONFIG, DATABASE_POOL, LOGGER, METRICS_REGISTRY, VERIFY_TOKEN } from './platform/tokens.js';

export interface AppDependencies {
  readonly config: ApiConfig;
  readonly pool: DatabasePool;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Feature modules (revenue queries, MAOS commands, test-only controllers). */
  readonly modules: ReadonlyArray<Type | DynamicModule>;
  readonly onClose?: () => Promise<void>;
  /** Wall clock for time windows (rate limits); tests pin it. */
  readonly clock?: () => number;
}

/**
 * The platform every feature module stands on. Global, so features inject API_CONFIG,
 * DATABASE_POOL, LOGGER, METRICS_REGISTRY, ReadinessChecks and ShutdownCoordinator without
 * importing anything; the guard, filter and pipe apply to every route.
 */
@Module({})
export class AppModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    const { config } = deps;
    const shutdown: ShutdownOptions = { timeoutMs: config.SHUTDOWN_TIMEOUT_MS, ...(deps.onClose ? { onClose: deps.onClose } : {}) };
    return {
      module: AppModule,
      global: true,
      imports: [OpsModule, MeModule, ...deps.modules],
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: DATABASE_POOL, useValue: deps.pool },
        { provide: LOGGER, useValue: deps.logger },
        { provide: METRICS_REGISTRY, useValue: deps.registry },
        { provide: SHUTDOWN_OPTIONS, useValue: shutdown },
        {
          provide: VERIFY_TOKEN,
          useValue: createJwtVerifier({
            secret: config.JWT_SECRET,
            audience: config.JWT_AUDIENCE,
            ...(config.JWT_ISSUER ? { issuer: config.JWT_ISSUER } : {}),
          }),
        },
        { provide: FixedWindowRateLimiter, useValue: new FixedWindowRateLimiter(config.RATE_LIMIT, 60_000, deps.clock ?? Date.now) },
        OrgResolver,
        ReadinessChecks,
        ShutdownCoordinator,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [API_CONFIG, DATABASE_POOL, LOGGER, METRICS_REGISTRY, ReadinessChecks, ShutdownCoordinator],
    };
  }
}

import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../platform/docs/problem-docs.js';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { sql, type DatabasePool } from '#database';
import type { Logger } from '#observability';
import { Public } from '../platform/auth/decorators.js';
import { problems } from '../platform/errors/problem.js';
import { DATABASE_POOL, LOGGER } from '../platform/tokens.js';
import { ReadinessChecks } from '../platform/ops/readiness-checks.js';
import { ShutdownCoordinator } from '../platform/ops/shutdown-coordinator.js';

const CHECK_TIMEOUT_MS = 2_000;

@ApiTags('ops')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly checks: ReadinessChecks,
    private readonly shutdown: ShutdownCoordinator,
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The process is up and serving; never touches a dependency (restarts would not fix one). */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up; never touches a dependency.' })
  @ApiOkResponse({ description: '{"status":"ok"}' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready to take traffic: the database answers and every registered check passes. The 503
   * names the checks that failed but not why (the reasons go to the log: they hold hosts).
   */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers and every registered check passes.' })
  @ApiOkResponse({ description: 'Ready; the checks and their status.' })
  @ApiProblems({ 503: 'Not ready (shutting down, or a check failed: the checks are named).' })
  async ready(): Promise<unknown> {
    if (this.shutdown.isShuttingDown) throw problems.unavailable('The service is shutting down.');
    const all = [['database', () => this.pool.query(sql.unsafe`SELECT 1`).then(() => undefined)] as const, ...this.checks.entries()];
    try {
      return await this.health.check(
        all.map(
          ([name, check]) =>
            () =>
              this.indicators
                .check(name)
                .attempt(({ signal }) => check(signal))
                .withTimeout(CHECK_TIMEOUT_MS),
        ),
      );
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const details = (error.getResponse() as { details?: Record<string, { status: string }> }).details ?? {};
      this.logger.warn({ checks: details }, 'not ready');
      const checks = Object.fromEntries(Object.entries(details).map(([name, d]) => [name, d.status]));
      throw problems.unavailable('A dependency is not ready.', { checks });
    }
  }
}

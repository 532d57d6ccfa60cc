import { randomUUID } from 'node:crypto';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { createLogger, createMetricsRegistry, type Logger } from '#observability';
import {
  channelRouting,
  OutboxDispatcher,
  openRuntime,
  startScheduler,
  type Runtime,
  type Scheduler,
  type SchedulerOptions,
} from '#runtime';
import type { ApiConfig } from './config.js';
import { createApp } from './create-app.js';
import { commandMetrics } from './ops/command-metrics.js';

export interface RunningServer {
  readonly app: INestApplication;
  readonly url: string;
  readonly config: ApiConfig;
  readonly logger: Logger;
  readonly runtime: Runtime;
  /**
   * Starts the scheduler (SWEEP_INTERVAL_MINUTES > 0; null when 0), once: left to the caller so
   * that `npm start` loads the demo first and the first scheduled run sweeps it. Stopped with the app.
   */
  startScheduler(options?: Pick<SchedulerOptions, 'onRunFinished'>): Scheduler | null;
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
    channels: config.channels,
    ruleSet: config.rules.ruleSet,
    observation: config.rules.observation,
  });
  const dispatcher = config.RUN_DISPATCHER ? new OutboxDispatcher({ deps: runtime.deps, config: config.channels, logger, registry }) : null;
  try {
    if (config.RUN_PROJECTIONS) runtime.runner.start();
    dispatcher?.start();
    const modules = options.modules?.(runtime) ?? [];
    let scheduler: Scheduler | null = null;
    // An in-flight scheduled run is recorded and the dispatcher's attempts finish (each bounded
    // by its timeout) before the runtime closes.
    const onClose = async () => {
      await scheduler?.stop(Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS));
      await dispatcher?.stop();
      await runtime.close();
    };
    const app = await createApp({ config, pool: runtime.pool, logger, registry, modules, onClose });
    await app.listen(config.PORT, config.HOST);
    const url = await app.getUrl();
    const { server } = runtime;
    // The one line that says what runs where.
    logger.info(
      {
        url,
        adapter: config.HTTP_ADAPTER,
        runProjections: config.RUN_PROJECTIONS,
        dispatcher: dispatcher ? { channels: channelRouting(config.channels), maosWebhook: config.channels.maosWebhook !== null } : false,
        eventStore: runtime.eventStoreKind,
        postgres: server.embedded
          ? { embedded: true, dataDir: server.dataDir, port: server.port, pid: server.pid, origin: server.origin }
          : { embedded: false },
      },
      'revenue-engine api started',
    );
    const startScheduling = (options: Pick<SchedulerOptions, 'onRunFinished'> = {}): Scheduler | null => {
      if (config.SWEEP_INTERVAL_MINUTES === 0) return null;
      scheduler ??= startScheduler({
        deps: runtime.deps,
        intervalMs: config.SWEEP_INTERVAL_MINUTES * 60_000,
        proposalMaxAgeMs: config.PROPOSAL_MAX_AGE_HOURS * 3_600_000,
        fullSweepEveryMs: config.FULL_SWEEP_EVERY_HOURS * 3_600_000,
        logger,
        instanceId: `api-${process.pid}-${randomUUID().slice(0, 8)}`,
        ...options,
      });
      return scheduler;
    };
    return { app, url, config, logger, runtime, startScheduler: startScheduling };
  } catch (error) {
    await dispatcher?.stop().catch(() => undefined);
    await runtime.close().catch(() => undefined);
    throw error;
  }
}

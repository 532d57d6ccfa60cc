import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createLogger, serializeError } from '#observability';
import { OutboxDispatcher, openRuntime, parseChannelConfig, parseRuleConfig, startScheduler } from '#runtime';

const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  EVENTSTORE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Minutes between scheduled runs (sweep that proposes, expiry); 0 turns the scheduler off here. */
  SWEEP_INTERVAL_MINUTES: z.coerce.number().min(0).max(10_080).default(60),
  /** Deliver the outbox (CHANNELS, MAOS_WEBHOOK_*: see docs/WEBHOOKS.md) in this process. */
  RUN_DISPATCHER: z.enum(['true', 'false']).default('true'),
  /** Proposed actions still awaiting approval after this many hours expire (their credits are released). */
  PROPOSAL_MAX_AGE_HOURS: z.coerce.number().positive().max(8_760).default(72),
  /** The scheduler's sweep is incremental; every org is decided again at least this often. */
  FULL_SWEEP_EVERY_HOURS: z.coerce.number().positive().max(8_760).default(24),
});

/**
 * The worker: runs the projections (one active runner per projection across processes), the
 * outbox dispatcher (RUN_DISPATCHER) and, when SWEEP_INTERVAL_MINUTES > 0, the scheduler (one
 * leader across workers and APIs: sweep, then expiry of stale proposals, every run recorded).
 * SIGTERM lets an in-flight run finish and be recorded and the deliveries in flight end, then
 * finishes the in-flight projection batch, commits it and releases the locks.
 */
async function main(): Promise<void> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(env);
  const channels = parseChannelConfig(env);
  const rules = parseRuleConfig(env);
  const issues = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)),
    ...('issues' in channels ? channels.issues : []),
    ...('issues' in rules ? rules.issues : []),
  ];
  if (!parsed.success || 'issues' in channels || 'issues' in rules) {
    process.stderr.write(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}\n`);
    process.exit(78);
  }
  const config = parsed.data;
  const logger = createLogger({ level: config.LOG_LEVEL, base: { service: 'revenue-engine-worker' } });
  const runtime = await openRuntime({
    databaseUrl: config.DATABASE_URL,
    eventStoreUrl: config.EVENTSTORE_URL,
    logger,
    channels: channels.config,
    ruleSet: rules.config.ruleSet,
    observation: rules.config.observation,
  });
  runtime.runner.start();
  const dispatcher =
    config.RUN_DISPATCHER === 'true' ? new OutboxDispatcher({ deps: runtime.deps, config: channels.config, logger }) : undefined;
  dispatcher?.start();
  logger.info({ eventStore: runtime.eventStoreKind, embeddedPostgres: runtime.server.embedded }, 'worker started');

  const scheduler =
    config.SWEEP_INTERVAL_MINUTES > 0
      ? startScheduler({
          deps: runtime.deps,
          intervalMs: config.SWEEP_INTERVAL_MINUTES * 60_000,
          proposalMaxAgeMs: config.PROPOSAL_MAX_AGE_HOURS * 3_600_000,
          fullSweepEveryMs: config.FULL_SWEEP_EVERY_HOURS * 3_600_000,
          logger,
          instanceId: `worker-${process.pid}-${randomUUID().slice(0, 8)}`,
        })
      : undefined;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping');
    // Bounded: a stop that hangs exits 1 rather than waiting for SIGKILL.
    const deadline = setTimeout(() => {
      logger.error({ signal }, 'worker did not stop within 30 s');
      process.exit(1);
    }, 30_000);
    try {
      await scheduler?.stop(20_000);
      await dispatcher?.stop();
      await runtime.close();
      logger.info({ signal }, 'worker stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: serializeError(error) }, 'worker did not stop cleanly');
      process.exit(1);
    } finally {
      clearTimeout(deadline);
    }
  };
  // `on`, not `once`: Ctrl-C and `timeout` signal the whole process group, so npm's forwarded
  // copy arrives too, and a second signal must not kill the worker in the middle of its drain.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`revenue-engine worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

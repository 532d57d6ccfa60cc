import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createLogger, serializeError } from '#observability';
import { openRuntime } from '#runtime';
import { SweepFleet, SweepFleetHandler } from '#revenue-commands';

const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  EVENTSTORE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Minutes between autonomous fleet sweeps; 0 (default) turns the scheduler off. */
  SWEEP_INTERVAL_MINUTES: z.coerce.number().min(0).max(10_080).default(0),
});

/**
 * The worker: runs the projections (one active runner per projection across processes) and,
 * when SWEEP_INTERVAL_MINUTES is set, the autonomous fleet sweep. SIGTERM finishes the
 * in-flight batch, commits it and releases the locks before exiting.
 */
async function main(): Promise<void> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    process.stderr.write(`Invalid configuration:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}\n`);
    process.exit(78);
  }
  const config = parsed.data;
  const logger = createLogger({ level: config.LOG_LEVEL, base: { service: 'revenue-engine-worker' } });
  const runtime = await openRuntime({ databaseUrl: config.DATABASE_URL, eventStoreUrl: config.EVENTSTORE_URL, logger });
  runtime.runner.start();
  logger.info({ eventStore: runtime.eventStoreKind, embeddedPostgres: runtime.server.embedded }, 'worker started');

  const sweeper = new SweepFleetHandler(runtime.deps);
  let sweeping: Promise<unknown> | null = null;
  const timer =
    config.SWEEP_INTERVAL_MINUTES > 0
      ? setInterval(() => {
          if (sweeping) return; // a sweep longer than the interval delays the next one, never overlaps it
          sweeping = sweeper
            .execute(new SweepFleet({ actor: { kind: 'system', id: 'scheduler' }, correlationId: randomUUID() }))
            .then((result) => logger.info({ sweep: result }, 'fleet sweep done'))
            .catch((error: unknown) => logger.error({ err: serializeError(error) }, 'fleet sweep failed'))
            .finally(() => (sweeping = null));
        }, config.SWEEP_INTERVAL_MINUTES * 60_000)
      : undefined;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping');
    if (timer) clearInterval(timer);
    // Bounded: a stop that hangs exits 1 rather than waiting for SIGKILL.
    const deadline = setTimeout(() => {
      logger.error({ signal }, 'worker did not stop within 30 s');
      process.exit(1);
    }, 30_000);
    try {
      await sweeping;
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

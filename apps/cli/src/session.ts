import { openRuntime, type Runtime } from '#runtime';
import type { ProjectionLogger } from '#projection-runner';
import type { CliConfig } from './config.js';

/** The projection runner's log as text on stderr: warnings and errors always, info with DEBUG. */
const cliLogger = (env: Readonly<Record<string, string | undefined>>): ProjectionLogger => {
  const write = (level: string, fields: object, message: string) => {
    const details = JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    process.stderr.write(`projections ${level}: ${message}${details === '{}' ? '' : ` ${details}`}\n`);
  };
  return {
    info: (fields, message) => (env.DEBUG ? write('info', fields, message) : undefined),
    warn: (fields, message) => write('warn', fields, message),
    error: (fields, message) => write('error', fields, message),
  };
};

/**
 * Opens the runtime (database, migrations, event store, projection runner: not started) for one
 * command and closes it afterwards, also when the command fails (the first error wins).
 */
export async function withRuntime<T>(
  config: CliConfig,
  env: Readonly<Record<string, string | undefined>>,
  work: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  const runtime = await openRuntime({
    databaseUrl: config.DATABASE_URL,
    eventStoreUrl: config.EVENTSTORE_URL,
    logger: cliLogger(env),
    ruleSet: config.rules.ruleSet,
    observation: config.rules.observation,
  });
  let result: T;
  try {
    result = await work(runtime);
  } catch (error) {
    await runtime.close().catch(() => undefined);
    throw error;
  }
  await runtime.close();
  return result;
}

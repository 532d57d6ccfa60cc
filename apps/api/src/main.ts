import { setTimeout as sleep } from 'node:timers/promises';
import { withDevJwtSecret, type Runtime } from '#runtime';
import { ConfigError, loadConfig } from './config.js';
import type { ScheduledRunSummary } from './welcome.js';

/** How long the banner waits for the scheduler's first run over a demo just loaded. */
const FIRST_RUN_WAIT_MS = 60_000;

// EX_CONFIG from sysexits.h: the environment, not the code, needs fixing.
const EXIT_BAD_CONFIG = 78;

/**
 * `npm start`. Config is checked before Nest and the database are even loaded, so a typo
 * fails in milliseconds. Then: the service, demo data on an empty embedded database, and
 * (outside production) what to try next, with ready tokens, on the terminal.
 */
async function main(): Promise<void> {
  const env = process.env;
  const config = loadConfig(withDevJwtSecret(env));
  const production = env.NODE_ENV === 'production';
  if (!env.JWT_SECRET && config.NODE_ENV !== 'test') {
    process.stderr.write(
      'JWT_SECRET is not set: using the development secret in .data/dev-jwt-secret (set NODE_ENV=production to require one)\n',
    );
  }
  const [{ bootstrap }, { featureModules }, { prepareDemo }, { welcome }] = await Promise.all([
    import('./bootstrap.js'),
    import('./features.js'),
    import('#runtime'),
    import('./welcome.js'),
  ]);
  const server = await bootstrap(config, { modules: featureModules });
  const { app, url, logger, runtime } = server;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'revenue-engine api stopping');
    // Readiness down, in-flight requests answered, the scheduled run in flight recorded, the
    // dispatcher's attempts finished, projections' batch committed, then the pool and the
    // embedded PostgreSQL this process owns.
    app.close().then(
      () => {
        logger.info({ signal }, 'revenue-engine api stopped');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`revenue-engine API did not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: Ctrl-C and `timeout` signal the whole process group, so npm's forwarded
  // copy arrives too, and a second signal must not kill the process in the middle of its drain.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  const load =
    config.DEMO_DATA === 'true' || (config.DEMO_DATA === 'auto' && runtime.server.embedded && !production && config.NODE_ENV !== 'test');
  const demo = await prepareDemo(runtime, { load }).catch((error: unknown) => {
    if (stopping) return null; // stopped while loading: the stop finishes and exits 0
    throw error;
  });
  if (!demo || stopping) return;
  if (demo.loaded) logger.info({ organizations: demo.organizations }, 'demo data loaded');
  // The scheduler starts after the demo load, so its first run sweeps the demo orgs (the first
  // run ever starts at once); the banner waits for that run when the demo was loaded now.
  let reportFirstRun: (run: ScheduledRunSummary) => void = () => undefined;
  const firstRun = new Promise<ScheduledRunSummary>((resolve) => (reportFirstRun = resolve));
  const scheduler = server.startScheduler({ onRunFinished: (run) => reportFirstRun(run) });
  // Bounded: another instance may lead and run it instead.
  const run = demo.loaded && scheduler ? await Promise.race([firstRun, sleep(FIRST_RUN_WAIT_MS).then(() => null)]) : null;
  if (stopping) return;
  // What the banner points at is readable: the read models include the first run.
  if (run) await readModelsAtHead(runtime);
  // On stderr, never in the JSON log, never in production; ready tokens only when they are signed
  // with the development secret (a configured JWT_SECRET may be a real one).
  if (!production) process.stderr.write(await welcome({ config, url, runtime, demo, firstRun: run, tokens: !env.JWT_SECRET }));
}

async function readModelsAtHead(runtime: Runtime): Promise<void> {
  const head = await runtime.store.headPosition();
  if (head) await runtime.runner.waitForAll(head, FIRST_RUN_WAIT_MS);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
  process.stderr.write(`revenue-engine API failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

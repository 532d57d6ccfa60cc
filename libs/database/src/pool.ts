import { createPool, type DatabasePool } from 'slonik';

export type { DatabasePool, DatabaseTransactionConnection, CommonQueryMethods } from 'slonik';
export { sql } from 'slonik';

export interface PoolOptions {
  readonly maximumPoolSize?: number;
  readonly statementTimeoutMs?: number;
  /**
   * Run `DISCARD ALL` on every connection the pool takes back (slonik's default). Off by
   * default: it costs one round trip per checkout (two of an HTTP read's seven), and nothing
   * here leaves session state on a pooled connection: the RLS claims and role are
   * transaction-local (set_config(..., true)), as are `SET LOCAL` and `SET TRANSACTION`; the
   * scheduler's leader lock is unlocked explicitly; LISTEN and the projections' advisory locks
   * live on dedicated connections outside the pool; statement_timeout and
   * idle_in_transaction_session_timeout are startup parameters, which a reset would keep anyway.
   * Code that sets session state on a pooled connection must reset it itself, or ask for this.
   */
  readonly resetSessionOnRelease?: boolean;
}

/** The slonik pool every module shares; int8 comes back as bigint, timestamptz as epoch ms. */
export async function createDatabasePool(url: string, options: PoolOptions = {}): Promise<DatabasePool> {
  const pool = await createPool(url, {
    maximumPoolSize: options.maximumPoolSize ?? 10,
    statementTimeout: options.statementTimeoutMs ?? 60_000,
    idleInTransactionSessionTimeout: 60_000,
    captureStackTrace: false,
    // A no-op, not undefined: slonik's driver (47.3) leaves a connection "pending release" for
    // ever when its release finishes without awaiting anything.
    ...(options.resetSessionOnRelease ? {} : { resetConnection: async () => undefined }),
  });
  // slonik also emits every query error on the pool; the caller already gets it as a rejection,
  // and an EventEmitter 'error' with no listener would crash the process instead.
  pool.on('error', () => undefined);
  return pool;
}

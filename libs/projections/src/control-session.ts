import { createHash } from 'node:crypto';
import pg from 'pg';
import { sleep } from './sleep.js';

/** 64-bit advisory lock key from the projection name (a hash collision would only serialize two projections). */
export function advisoryLockKey(projection: string): bigint {
  return createHash('sha256').update(`projection:${projection}`).digest().readBigInt64BE(0);
}

/**
 * The dedicated session of one projection: it holds the projection's advisory lock (a session
 * lock, released by PostgreSQL as soon as the connection dies, e.g. on kill -9) and runs the
 * rebuild's DDL. `lost` aborts when the connection drops, so the runner stops writing; the
 * checkpoint fence catches any batch already in flight.
 */
export class ControlSession {
  private client: pg.Client | null = null;
  private lostController = new AbortController();

  constructor(
    private readonly connectionUrl: string,
    private readonly projection: string,
  ) {}

  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  /** Tries the lock every `retryMs` until it is ours (true) or `signal` aborts (false). */
  async acquire(retryMs: number, signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      const client = await this.connect();
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int8) AS locked', [
        advisoryLockKey(this.projection).toString(),
      ]);
      if (result.rows[0]?.locked) return true;
      await sleep(retryMs, signal);
    }
    return false;
  }

  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    if (!this.client) throw new Error(`control session of ${this.projection} is not connected`);
    return this.client.query<R>(text, values);
  }

  /** Runs `work` in a transaction on this session (the rebuild's swap). */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.query('BEGIN');
    try {
      const result = await work();
      await this.query('COMMIT');
      return result;
    } catch (error) {
      await this.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Releases the lock by closing the session (also ends anything the session still runs). */
  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    await client.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.lostController = new AbortController();
    const client = new pg.Client({ connectionString: this.connectionUrl, application_name: `projection:${this.projection}` });
    const lost = this.lostController;
    const onGone = (): void => {
      if (this.client === client) this.client = null;
      lost.abort(new Error(`control session of ${this.projection} lost`));
    };
    client.on('error', onGone);
    client.on('end', onGone);
    await client.connect();
    this.client = client;
    return client;
  }
}

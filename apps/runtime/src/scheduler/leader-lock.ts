import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { sql, type DatabasePool } from '#database';

/**
 * The scheduler's advisory lock key: 64 bits of sha256('scheduler:fleet-sweep'). The projections
 * hash 'projection:<name>' the same way and node-pg-migrate uses its own fixed key, so the
 * prefixes keep the keys apart (a collision would only make two lock holders wait on each other).
 */
export const SCHEDULER_LOCK_KEY: bigint = createHash('sha256').update('scheduler:fleet-sweep').digest().readBigInt64BE(0);

/** Held leadership: `lost` aborts when the lock's session ends (connection lost, or released). */
export interface Leadership {
  readonly lost: AbortSignal;
  /** The backend pid of the session holding the lock (operators: pg_stat_activity). */
  readonly backendPid: number;
  /** Unlocks and hands the connection back; waits for that. Never throws. */
  release(): Promise<void>;
}

const Locked = z.object({ locked: z.boolean(), pid: z.number() });

/**
 * Tries once to become the leader: `pg_try_advisory_lock` on one pooled connection that stays
 * checked out (slonik's `pool.connect` keeps it for as long as its callback runs) while we lead.
 * A session lock, so PostgreSQL releases it the moment that session dies (kill -9, network
 * loss): another instance can then take over. A heartbeat every `heartbeatMs` notices a dead
 * session on our side and aborts `lost`, so a leader that lost its connection stops leading.
 * Resolves null when another session holds the lock (the connection goes straight back).
 */
export function tryLead(pool: DatabasePool, options: { readonly key?: bigint; readonly heartbeatMs: number }): Promise<Leadership | null> {
  const key = (options.key ?? SCHEDULER_LOCK_KEY).toString();
  const lost = new AbortController();
  const releasing = new AbortController();
  return new Promise<Leadership | null>((resolve, reject) => {
    let acquired = false;
    const held = pool.connect(async (connection) => {
      const { locked, pid } = await connection.one(
        sql.type(Locked)`SELECT pg_try_advisory_lock(${key}::int8) AS locked, pg_backend_pid() AS pid`,
      );
      if (!locked) return resolve(null);
      acquired = true;
      resolve({ lost: lost.signal, backendPid: pid, release });
      while (!releasing.signal.aborted) {
        await sleep(options.heartbeatMs, undefined, { signal: releasing.signal }).catch(() => undefined);
        if (!releasing.signal.aborted) await connection.query(sql.unsafe`SELECT 1`); // throws once the session is gone
      }
      // Explicitly, so the pooled connection goes back without the lock; if this fails slonik
      // destroys the connection, which releases the lock as well.
      await connection.query(sql.unsafe`SELECT pg_advisory_unlock(${key}::int8)`);
    });
    const ended = held.then(
      () => lost.abort(new Error('leadership released')),
      (error: unknown) => {
        lost.abort(error);
        if (!acquired) reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
    async function release(): Promise<void> {
      releasing.abort();
      await ended;
    }
  });
}

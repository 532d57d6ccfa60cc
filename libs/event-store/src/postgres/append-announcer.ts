import { sql, type CommonQueryMethods } from '#database';
import { APPEND_CHANNEL } from './append-notifier.js';

/**
 * Wakes subscribers after appends commit: NOTIFY in its own, read-only transaction. NOTIFY
 * inside the appending transaction (a trigger) would hold PostgreSQL's notify lock across
 * that transaction's commit flush, serialising every appender behind one fsync at a time (no
 * group commit). Bursts are coalesced: one notification in flight, at most one queued.
 * A lost notification only delays subscribers until their next poll.
 */
export class AppendAnnouncer {
  #inFlight = false;
  #again = false;

  constructor(private readonly db: CommonQueryMethods) {}

  announce(): void {
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#inFlight = true;
    void this.#send();
  }

  async #send(): Promise<void> {
    do {
      this.#again = false;
      await this.db.query(sql.unsafe`SELECT pg_notify(${APPEND_CHANNEL}, '')`).catch(() => undefined);
    } while (this.#again);
    this.#inFlight = false;
  }
}

import pg from 'pg';

export const APPEND_CHANNEL = 'event_store_appended';

interface Session {
  readonly client: pg.Client;
  ready: Promise<void>;
}

/**
 * The LISTEN side of the append notifications: one dedicated connection per store (outside
 * the pool, which recycles connections), shared by all its subscriptions, opened with the
 * first and closed with the last. If the connection drops, every subscriber is woken (it may
 * have missed notifications) and the connection is re-opened; subscribers poll meanwhile.
 */
export class AppendNotifier {
  readonly #listeners = new Set<() => void>();
  #session: Session | undefined;
  #reopen: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly connectionUrl: string,
    private readonly reopenDelayMs: number,
  ) {}

  /** Resolves once LISTEN is active (or failed: polling covers it); returns the way out. */
  async listen(listener: () => void): Promise<() => Promise<void>> {
    this.#listeners.add(listener);
    if (!this.#closed && !this.#session) this.#open();
    await this.#session?.ready;
    return async () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) await this.#shutdown();
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.#shutdown();
  }

  #open(): void {
    const client = new pg.Client({
      connectionString: this.connectionUrl,
      application_name: 'event-store-listener',
      // a subscriber must not wait forever for its wake-up channel: polling covers a failure
      connectionTimeoutMillis: 10_000,
      // the connection idles for long stretches; keep middleboxes from dropping it silently
      keepAlive: true,
    });
    const session: Session = { client, ready: Promise.resolve() };
    client.on('notification', () => this.#wakeAll());
    client.on('error', () => this.#drop(session));
    client.on('end', () => this.#drop(session));
    session.ready = client
      .connect()
      .then(() => client.query(`LISTEN ${APPEND_CHANNEL}`))
      .then(
        () => undefined,
        () => this.#drop(session),
      );
    this.#session = session;
  }

  #drop(session: Session): void {
    if (this.#session !== session) return;
    this.#session = undefined;
    session.client.end().catch(() => undefined);
    this.#wakeAll();
    if (this.#closed || this.#listeners.size === 0 || this.#reopen) return;
    this.#reopen = setTimeout(() => {
      this.#reopen = undefined;
      if (!this.#closed && this.#listeners.size > 0 && !this.#session) this.#open();
    }, this.reopenDelayMs);
    this.#reopen.unref();
  }

  async #shutdown(): Promise<void> {
    clearTimeout(this.#reopen);
    this.#reopen = undefined;
    const session = this.#session;
    this.#session = undefined;
    if (!session) return;
    await session.ready;
    await session.client.end().catch(() => undefined);
  }

  #wakeAll(): void {
    for (const listener of this.#listeners) listener();
  }
}

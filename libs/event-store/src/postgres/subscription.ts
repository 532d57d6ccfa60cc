import type { RecordedEvent, SubscribeOptions } from '../event-store.port.js';
import type { LogPage, LogQuery } from './read-log.js';
import { Wakeup } from './wakeup.js';

export interface SubscriptionSources {
  readonly readPage: (query: LogQuery) => Promise<LogPage>;
  /** Registers a wake-up on appends; resolves once listening, to the function that stops it. */
  readonly listen: (listener: () => void) => Promise<() => Promise<void>>;
  /** Re-read at least this often: the visibility horizon moves without any append notification. */
  readonly pollIntervalMs: number;
}

export const DEFAULT_BATCH_SIZE = 1000;
/** First re-read delay while committed events are held back; doubles up to the poll interval. */
const HELD_BACK_FIRST_RETRY_MS = 10;

/**
 * Catch-up then live over the gap-safe log: full pages are read back to back; once a page
 * comes back short the subscription sleeps until an append notification, the poll interval
 * or the abort (only briefly, backing off, while committed events are held back). The
 * checkpoint is the last position read, so each event is yielded once. Nothing is buffered
 * beyond one page; a slow consumer simply reads later. Read errors end the iteration.
 */
export async function* subscribeToLog(
  sources: SubscriptionSources,
  options: SubscribeOptions & { readonly signal: AbortSignal },
): AsyncGenerator<readonly RecordedEvent[]> {
  const { signal, eventTypes } = options;
  const limit = options.maxBatchSize ?? DEFAULT_BATCH_SIZE;
  if (signal.aborted) return;
  const wakeup = new Wakeup();
  const unlisten = await sources.listen(() => wakeup.set());
  const onAbort = (): void => wakeup.set();
  signal.addEventListener('abort', onAbort);
  let after = options.after;
  let retryMs = HELD_BACK_FIRST_RETRY_MS;
  try {
    while (!signal.aborted) {
      wakeup.clear();
      const page = await sources.readPage({ after, limit, ...(eventTypes ? { eventTypes } : {}) });
      after = page.next ?? after;
      if (signal.aborted) break;
      if (page.events.length > 0) yield page.events;
      if (page.full) continue;
      await wakeup.wait(page.heldBack ? Math.min(retryMs, sources.pollIntervalMs) : sources.pollIntervalMs);
      retryMs = page.heldBack ? retryMs * 2 : HELD_BACK_FIRST_RETRY_MS;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await unlisten();
  }
}

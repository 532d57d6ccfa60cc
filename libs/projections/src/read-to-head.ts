import type { EventStore, LogPosition, RecordedEvent } from '#event-store';

/**
 * Pages through the log after `after` until a short page says the visible head is reached.
 * A rebuild uses this rather than a subscription: it must know when it has caught up, even when
 * no event of its types follows (a subscription would then just wait).
 */
export async function* readToHead(
  store: EventStore,
  after: LogPosition | null,
  eventTypes: readonly string[],
  batchSize: number,
  signal: AbortSignal,
): AsyncGenerator<readonly RecordedEvent[], void, undefined> {
  let position = after;
  while (!signal.aborted) {
    const events = await store.readAll({ ...(position ? { after: position } : {}), eventTypes, maxCount: batchSize });
    const last = events[events.length - 1];
    if (last) {
      position = last.position;
      yield events;
    }
    if (events.length < batchSize) return;
  }
}

import { randomUUID } from 'node:crypto';
import { comparePositions, type EventStore, type LogPosition, type NewEvent, type RecordedEvent } from '../src/event-store.port.js';

/** Guards against a hang; it is a failure bound, not a speed assertion. */
const PATIENCE_MS = 20_000;

/** Names unique to one run, so the suite can share a server holding other data. */
export function contractNames() {
  const run = randomUUID().slice(0, 8);
  return {
    type: (name: string) => `contract-${run}.${name}.v1`,
    stream: (label: string) => `contract_${run}-${label}-${randomUUID().slice(0, 8)}`,
  };
}

export function newEvent(type: string, data: Record<string, unknown> = {}): NewEvent {
  return {
    type,
    data,
    metadata: {
      eventId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
      actor: { kind: 'system', id: 'contract-suite' },
      occurredAt: new Date().toISOString(),
    },
  };
}

export const ids = (events: ReadonlyArray<NewEvent | RecordedEvent>): string[] => events.map((e) => e.metadata.eventId);

export function isStrictlyIncreasing(events: readonly RecordedEvent[]): boolean {
  return events.every((event, i) => i === 0 || comparePositions(events[i - 1]!.position, event.position) < 0);
}

/**
 * The global log shows an append once no transaction that could precede it is still open
 * (PostgreSQL) or once it is indexed (EventStoreDB): wait for the head to reach it, then reads
 * are deterministic.
 */
export async function untilVisible(store: EventStore, position: LogPosition): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const head = await store.headPosition();
    if (head && comparePositions(head, position) >= 0) return;
    if (Date.now() > deadline) throw new Error(`log head did not reach ${position.commit}/${position.prepare}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Pulls batches until `enough(received)` holds; fails (does not hang) if it never does. */
export async function pull(
  iterator: AsyncIterator<readonly RecordedEvent[]>,
  enough: (received: readonly RecordedEvent[]) => boolean,
  received: RecordedEvent[] = [],
): Promise<RecordedEvent[]> {
  while (!enough(received)) {
    const next = await withPatience(iterator.next(), `subscription stalled after ${received.length} events`);
    if (next.done) throw new Error(`subscription ended after ${received.length} events`);
    received.push(...next.value);
  }
  return received;
}

/** After abort, the iterator must complete (not hang, not throw). */
export async function completes(iterator: AsyncIterator<readonly RecordedEvent[]>): Promise<boolean> {
  for (;;) {
    const next = await withPatience(iterator.next(), 'subscription did not end after abort');
    if (next.done) return true;
  }
}

async function withPatience<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), PATIENCE_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

import { randomUUID } from 'node:crypto';
import { comparePositions, type EventStore, type LogPosition, type NewEvent, type RecordedEvent } from '#event-store';
import { COUNTED } from './counter-projection.js';

export function counted(amount: number, type = COUNTED): NewEvent {
  return {
    type,
    data: { amount },
    metadata: {
      eventId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
      actor: { kind: 'system', id: 'projection-tests' },
      occurredAt: new Date(0).toISOString(),
    },
  };
}

/**
 * Appends `count` events spread over `streams` streams, amounts first..first+count-1
 * (unique, so a test can poison exactly one event), in appendMany calls of a few thousand.
 */
export async function appendCounted(
  store: EventStore,
  count: number,
  options: { streams?: number; first?: number; prefix?: string; type?: string } = {},
): Promise<LogPosition> {
  let last: LogPosition | null = null;
  const streams = options.streams ?? 20;
  const first = options.first ?? 1;
  const prefix = options.prefix ?? 'counter';
  for (let start = 0; start < count; start += 5000) {
    const perStream = new Map<string, NewEvent[]>();
    for (let i = start; i < Math.min(count, start + 5000); i++) {
      const stream = `${prefix}-${i % streams}`;
      const list = perStream.get(stream) ?? [];
      list.push(counted(first + i, options.type));
      perStream.set(stream, list);
    }
    const results = await store.appendMany(
      [...perStream].map(([streamName, events]) => ({ streamName, events, expectedRevision: 'any' as const })),
    );
    const failed = results.find((r) => r instanceof Error);
    if (failed) throw failed;
    for (const result of results)
      if (!(result instanceof Error) && (!last || comparePositions(result.position, last) > 0)) last = result.position;
  }
  if (!last) throw new RangeError('appendCounted needs count >= 1');
  return waitVisible(store, last);
}

/**
 * Readers see a commit only once no older transaction runs anywhere in the cluster (gap-safe
 * log); other test files share the server, so wait for it rather than assume it.
 */
export async function waitVisible(store: EventStore, position: LogPosition): Promise<LogPosition> {
  for (;;) {
    const head = await store.headPosition();
    if (head && comparePositions(head, position) >= 0) return position;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The whole log, in pages (tests only: a few tens of thousands of events). */
export async function readWholeLog(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const last = all[all.length - 1];
    const page = await store.readAll({ ...(last ? { after: last.position } : {}), maxCount: 5000 });
    all.push(...page);
    if (page.length < 5000) return all;
  }
}

/** A logger that keeps lines, so tests can assert that a halt or a park was logged loudly. */
export function captureLogger(): {
  lines: Array<{ level: string; message: string; fields: object }>;
  logger: { info: Log; warn: Log; error: Log };
} {
  const lines: Array<{ level: string; message: string; fields: object }> = [];
  const at =
    (level: string): Log =>
    (fields, message) =>
      lines.push({ level, message, fields });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}
type Log = (fields: object, message: string) => void;

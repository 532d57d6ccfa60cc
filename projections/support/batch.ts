import type { RecordedEvent } from '#event-store';

/**
 * Splits a batch into runs of consecutive events of one type. Each run becomes one set-based
 * statement; runs are applied in log order, so a batch gives the same result as its events one by one.
 */
export function runsOfSameType(events: readonly RecordedEvent[]): RecordedEvent[][] {
  const runs: RecordedEvent[][] = [];
  for (const event of events) {
    const current = runs.at(-1);
    if (current && current[0]!.type === event.type) current.push(event);
    else runs.push([event]);
  }
  return runs;
}

/** Within one run, a later event for the same row replaces an earlier one (one UPDATE per row). */
export function lastPerKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

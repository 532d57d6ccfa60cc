/**
 * Consecutive events of one type, tagged with that type. Over a union of event types (such as
 * `Recorded<RevenueEvent>`) it is a union too, so `switch (run.type)` narrows `run.events`.
 */
export type Run<R extends { readonly type: string }> = R extends unknown ? { readonly type: R['type']; readonly events: R[] } : never;

/**
 * Splits a batch into runs of consecutive events of one type. Each run becomes one set-based
 * statement; runs are applied in log order, so a batch gives the same result as its events one by one.
 */
export function runsOfSameType<R extends { readonly type: string }>(events: readonly R[]): Run<R>[] {
  const runs: Array<{ readonly type: R['type']; readonly events: R[] }> = [];
  for (const event of events) {
    const current = runs.at(-1);
    if (current && current.type === event.type) current.events.push(event);
    else runs.push({ type: event.type, events: [event] });
  }
  // Every event of a run has the run's type, which TypeScript cannot follow through the loop.
  return runs as Run<R>[];
}

/** Within one run, a later event for the same row replaces an earlier one (one UPDATE per row). */
export function lastPerKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

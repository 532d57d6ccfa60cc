/**
 * Consecutive events of one type, tagged with that type. Over a union of event types (such as
 * `Recorded<RevenueEvent>`) it is a union too, so `switch (run.type)` narrows `run.events`.
 */
export type Run<R extends { readonly type: string }> = R extends unknown ? { readonly type: R['type']; readonly events: R[] } : never;

/**
 * Splits a batch into runs of events of one type, each becoming one set-based statement, for
 * projections whose rows belong to one stream each (an org's opportunities and actions): events
 * of different streams touch different rows and so commute, and the batch is reordered into as
 * few runs as it can be while every stream keeps its own order, so the result is the same as
 * applying the events one by one. A sweep's batch of [detected, assigned, proposed] per org becomes three statements
 * instead of three per org. Greedy (the next run is the type at the head of the most streams),
 * and never more runs than the batch in log order has: then log order is kept.
 */
export function runsAcrossStreams<R extends { readonly type: string; readonly streamName: string }>(events: readonly R[]): Run<R>[] {
  const queues = new Map<string, R[]>();
  for (const e of events) {
    const queue = queues.get(e.streamName);
    if (queue) queue.push(e);
    else queues.set(e.streamName, [e]);
  }
  const heads = new Map<string, number>([...queues.keys()].map((k) => [k, 0]));
  const runs: Array<{ readonly type: R['type']; readonly events: R[] }> = [];
  while (heads.size > 0) {
    const counts = new Map<string, number>();
    for (const [stream, at] of heads) {
      const type = queues.get(stream)![at]!.type;
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    const type = [...counts].reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
    const run: R[] = [];
    for (const [stream, start] of heads) {
      const queue = queues.get(stream)!;
      let at = start;
      while (at < queue.length && queue[at]!.type === type) run.push(queue[at++]!);
      if (at === queue.length) heads.delete(stream);
      else heads.set(stream, at);
    }
    runs.push({ type, events: run });
  }
  const inLogOrder = runsInLogOrder(events);
  return (runs.length <= inLogOrder.length ? runs : inLogOrder) as Run<R>[];
}

function runsInLogOrder<R extends { readonly type: string }>(
  events: readonly R[],
): Array<{ readonly type: R['type']; readonly events: R[] }> {
  const runs: Array<{ readonly type: R['type']; readonly events: R[] }> = [];
  for (const event of events) {
    const current = runs.at(-1);
    if (current && current.type === event.type) current.events.push(event);
    else runs.push({ type: event.type, events: [event] });
  }
  return runs;
}

/** Within one run, a later event for the same row replaces an earlier one (one UPDATE per row). */
export function lastPerKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

import { describe, expect, it } from '@jest/globals';
import type { LogPosition, RecordedEvent } from '../event-store.port.js';
import type { LogPage, LogQuery } from './read-log.js';
import { subscribeToLog } from './subscription.js';

const at = (prepare: number): LogPosition => ({ commit: 1n, prepare: BigInt(prepare) });
const event = (prepare: number) => ({ type: 't.v1', position: at(prepare) }) as RecordedEvent;
const page = (events: RecordedEvent[], rest: Partial<LogPage> = {}): LogPage => ({
  events,
  full: false,
  heldBack: false,
  next: events.at(-1)?.position,
  ...rest,
});

/** Scripted pages; records each query; wakes are delivered by hand (no timers involved). */
function scripted(pages: LogPage[], pollIntervalMs = 1e9) {
  const queries: LogQuery[] = [];
  let wake: () => void = () => undefined;
  let stopped = false;
  const sources = {
    readPage: async (query: LogQuery) => {
      queries.push(query);
      return pages.shift() ?? page([]);
    },
    listen: async (listener: () => void) => {
      wake = listener;
      return async () => {
        stopped = true;
      };
    },
    pollIntervalMs,
  };
  /** Lets the subscription run until it has issued `count` reads (it then sleeps or yields). */
  const untilReads = async (count: number) => {
    while (queries.length < count) await new Promise((resolve) => setImmediate(resolve));
  };
  return { sources, queries, untilReads, wake: () => wake(), stopped: () => stopped };
}

describe('subscribeToLog', () => {
  it('reads full pages back to back, then sleeps until notified, resuming after the last position', async () => {
    const s = scripted([page([event(1), event(2)], { full: true }), page([event(3)]), page([event(9)])]);
    const controller = new AbortController();
    const iterator = subscribeToLog(s.sources, { after: at(0), maxBatchSize: 2, signal: controller.signal });
    expect((await iterator.next()).value).toEqual([event(1), event(2)]);
    expect((await iterator.next()).value).toEqual([event(3)]);
    const sleeping = iterator.next();
    await s.untilReads(2); // page 3 is only read once woken
    s.wake();
    expect((await sleeping).value).toEqual([event(9)]);
    expect(s.queries.map((q) => q.after)).toEqual([at(0), at(2), at(3)]);
    controller.abort();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(s.stopped()).toBe(true);
  });

  it('moves past a filtered-out stretch to the head the page reports, without yielding empty batches', async () => {
    const s = scripted([page([], { next: at(50) }), page([event(51)])]);
    const controller = new AbortController();
    const iterator = subscribeToLog(s.sources, { eventTypes: ['t.v1'], signal: controller.signal });
    const next = iterator.next();
    await s.untilReads(1);
    s.wake();
    expect((await next).value).toEqual([event(51)]);
    expect(s.queries.map((q) => q.after)).toEqual([undefined, at(50)]);
    expect(s.queries[0]!.eventTypes).toEqual(['t.v1']);
    controller.abort();
    await iterator.next();
  });

  it('re-reads on its own while committed events are held back, even with no notification', async () => {
    const s = scripted([page([], { heldBack: true }), page([], { heldBack: true }), page([event(4)])]);
    const controller = new AbortController();
    const iterator = subscribeToLog(s.sources, { signal: controller.signal });
    expect((await iterator.next()).value).toEqual([event(4)]);
    expect(s.queries).toHaveLength(3);
    controller.abort();
    await iterator.next();
  });

  it('ends at once when aborted while sleeping, and does not start when already aborted', async () => {
    const s = scripted([]);
    const controller = new AbortController();
    const iterator = subscribeToLog(s.sources, { signal: controller.signal });
    const sleeping = iterator.next();
    await s.untilReads(1);
    controller.abort();
    expect(await sleeping).toEqual({ done: true, value: undefined });
    expect(s.stopped()).toBe(true);
    const never = subscribeToLog(scripted([]).sources, { signal: AbortSignal.abort() });
    expect(await never.next()).toEqual({ done: true, value: undefined });
  });
});

import type { AllStreamResolvedEvent, EventStoreDBClient, ReadAllOptions } from '@eventstore/db-client';
import { describe, expect, it } from '@jest/globals';
import type { LogPosition } from '../event-store.port.js';
import { toRecordedEvent } from './event-mapping.js';
import { lastSelectedPosition, readLogForwards, type Select } from './log-reads.js';

/** An in-memory $all: every 3rd record is a system event, as in a real database. */
function fakeLog(size: number): AllStreamResolvedEvent[] {
  return Array.from({ length: size }, (_, i) => {
    const position = { commit: BigInt((i + 1) * 10), prepare: BigInt((i + 1) * 10) };
    const type = i % 3 === 2 ? '$metadata' : i % 2 === 0 ? 'even.v1' : 'odd.v1';
    const metadata = { eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` };
    const event = {
      streamId: `s-${i % 7}`,
      id: metadata.eventId,
      isJson: true,
      revision: 0n,
      type,
      created: new Date(0),
      data: { i },
      metadata,
      position,
    };
    return { event } as AllStreamResolvedEvent;
  });
}

/** Reads like the server: a page of up to maxCount from fromPosition, which is included going forwards (as EventStoreDB does). */
function fakeClient(log: AllStreamResolvedEvent[], calls: ReadAllOptions[] = []): EventStoreDBClient {
  const at = (p: LogPosition) => log.findIndex((r) => r.event!.position.commit === p.commit);
  const readAll = (options: ReadAllOptions) => {
    calls.push(options);
    const max = Number(options.maxCount);
    const from = options.fromPosition;
    const page =
      options.direction === 'backwards'
        ? log
            .slice(0, from === 'end' ? log.length : at(from as LogPosition))
            .reverse()
            .slice(0, max)
        : log.slice(from === 'start' ? 0 : at(from as LogPosition)).slice(0, max);
    return (async function* () {
      yield* page;
    })();
  };
  return { readAll } as unknown as EventStoreDBClient;
}

const ours: Select = (resolved) => toRecordedEvent(resolved.event);
const onlyEven: Select = (resolved) => (resolved.event?.type === 'even.v1' ? toRecordedEvent(resolved.event) : null);
const indexes = (events: { data: unknown }[]) => events.map((e) => (e.data as { i: number }).i);

describe('readLogForwards', () => {
  it('reads the whole log across pages, skipping system events', async () => {
    const events = await readLogForwards(fakeClient(fakeLog(1300)), { maxCount: Infinity, select: ours });
    expect(indexes(events)).toEqual([...Array(1300).keys()].filter((i) => i % 3 !== 2));
  });

  it('starts strictly after `after`, although the server includes that position', async () => {
    const log = fakeLog(20);
    const events = await readLogForwards(fakeClient(log), { after: log[4]!.event!.position, maxCount: 3, select: ours });
    expect(indexes(events)).toEqual([6, 7, 9]);
  });

  it('keeps reading pages until maxCount selected events are found', async () => {
    const calls: ReadAllOptions[] = [];
    const events = await readLogForwards(fakeClient(fakeLog(1300), calls), { maxCount: 300, select: onlyEven });
    expect(events).toHaveLength(300);
    expect(indexes(events).every((i) => i % 2 === 0 && i % 3 !== 2)).toBe(true);
    expect(calls.length).toBeGreaterThan(1);
  });

  it('returns nothing after the last event', async () => {
    const log = fakeLog(10);
    expect(await readLogForwards(fakeClient(log), { after: log[9]!.event!.position, maxCount: 5, select: ours })).toEqual([]);
  });
});

describe('lastSelectedPosition', () => {
  it('finds the newest selected event, looking past system events and across pages', async () => {
    const log = fakeLog(1300);
    // Only index 0 is selected: the search has to walk every page backwards.
    const first: Select = (r) => ((r.event?.data as { i: number }).i === 0 ? toRecordedEvent(r.event) : null);
    expect(await lastSelectedPosition(fakeClient(log), first)).toEqual(log[0]!.event!.position);
    const endsWithSystemEvent = fakeLog(1299);
    expect(endsWithSystemEvent[1298]!.event!.type).toBe('$metadata');
    expect(await lastSelectedPosition(fakeClient(endsWithSystemEvent), ours)).toEqual(endsWithSystemEvent[1297]!.event!.position);
  });

  it('is null for a log without our events', async () => {
    expect(await lastSelectedPosition(fakeClient(fakeLog(5)), () => null)).toBeNull();
  });
});

import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
  type ReadAllOptions as EsdbReadAllOptions,
} from '@eventstore/db-client';
import { comparePositions, type LogPosition, type RecordedEvent } from '../event-store.port.js';

/** Turns a raw $all entry into one of our events, or null to skip it (system, foreign or unwanted type). */
export type Select = (resolved: AllStreamResolvedEvent) => RecordedEvent | null;

/**
 * $all is read in bounded pages: client 6.2 cannot filter reads server-side, so pages may hold
 * system or foreign events that are skipped here, and a page never holds more than PAGE_SIZE.
 */
const PAGE_SIZE = 512;

/** Up to maxCount selected events strictly after `after`, in log order. */
export async function readLogForwards(
  client: EventStoreDBClient,
  options: { readonly after?: LogPosition; readonly maxCount: number; readonly select: Select },
): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let cursor = options.after;
  for (;;) {
    const page = await readPage(client, { direction: FORWARDS, fromPosition: cursor ?? START, maxCount: PAGE_SIZE });
    const from = cursor;
    for (const resolved of page) {
      const position = resolved.event?.position;
      if (!position) continue;
      cursor = position;
      // A read from a position includes the event at that position: `after` is exclusive.
      if (from && comparePositions(position, from) <= 0) continue;
      const event = options.select(resolved);
      if (event) out.push(event);
      if (out.length >= options.maxCount) return out;
    }
    if (page.length < PAGE_SIZE || samePosition(cursor, from)) return out;
  }
}

/** Position of the newest selected event, or null when the log holds none. */
export async function lastSelectedPosition(client: EventStoreDBClient, select: Select): Promise<LogPosition | null> {
  let cursor: LogPosition | undefined;
  for (;;) {
    const page = await readPage(client, { direction: BACKWARDS, fromPosition: cursor ?? END, maxCount: PAGE_SIZE });
    const from = cursor;
    for (const resolved of page) {
      const position = resolved.event?.position;
      if (!position) continue;
      cursor = position;
      if (from && comparePositions(position, from) >= 0) continue;
      const event = select(resolved);
      if (event) return event.position;
    }
    if (page.length < PAGE_SIZE || samePosition(cursor, from)) return null;
  }
}

/**
 * Position of the last entry of $all, whoever wrote it (system and foreign events included):
 * everything in $all is committed, so no appended position of ours lies beyond it.
 */
export async function lastLogPosition(client: EventStoreDBClient): Promise<LogPosition | null> {
  const page = await readPage(client, { direction: BACKWARDS, fromPosition: END, maxCount: LAST_PROBE_SIZE });
  const position = page.find((resolved) => resolved.event?.position)?.event?.position;
  return position ? { commit: position.commit, prepare: position.prepare } : null;
}

/** Entries lacking a position (none expected on $all) are skipped within this many. */
const LAST_PROBE_SIZE = 16;

async function readPage(client: EventStoreDBClient, options: EsdbReadAllOptions): Promise<AllStreamResolvedEvent[]> {
  const page: AllStreamResolvedEvent[] = [];
  for await (const resolved of client.readAll(options)) page.push(resolved);
  return page;
}

function samePosition(a: LogPosition | undefined, b: LogPosition | undefined): boolean {
  return a !== undefined && b !== undefined && comparePositions(a, b) === 0;
}

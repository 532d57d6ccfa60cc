import type { JSONEventData } from '@eventstore/db-client';
import { DuplicateEventError } from '../errors.js';
import type { ExpectedRevision, StreamAppend } from '../event-store.port.js';
import { toEventData } from './event-mapping.js';
import { checkExpectedRevision, checkStreamName } from './validation.js';

/** An append whose input is checked and converted: nothing invalid reaches the network. */
export interface PreparedAppend {
  readonly streamName: string;
  readonly events: JSONEventData[];
  readonly expected: ExpectedRevision;
}

export function prepareAppend(entry: StreamAppend): PreparedAppend {
  checkStreamName(entry.streamName);
  if (!Array.isArray(entry.events) || entry.events.length === 0) throw new RangeError(`append to ${entry.streamName}: no events given`);
  const events = entry.events.map(toEventData);
  const ids = new Set(events.map((event) => event.id.toLowerCase()));
  if (ids.size !== events.length) throw new TypeError(`append to ${entry.streamName}: the same event id appears twice`);
  return { streamName: entry.streamName, events, expected: checkExpectedRevision(entry.expectedRevision) };
}

/**
 * Checks a whole appendMany call before anything is written. EventStoreDB recognises a
 * retried event id only within its stream, so one id sent to two streams is refused here.
 */
export function prepareAppends(batch: readonly StreamAppend[]): PreparedAppend[] {
  const streamOfId = new Map<string, string>();
  return batch.map((entry) => {
    const prepared = prepareAppend(entry);
    for (const { id } of prepared.events) {
      const other = streamOfId.get(id.toLowerCase());
      if (other !== undefined && other !== prepared.streamName) {
        throw new DuplicateEventError(id, `sent to streams ${other} and ${prepared.streamName} in one call`);
      }
      streamOfId.set(id.toLowerCase(), prepared.streamName);
    }
    return prepared;
  });
}

/** Entry indexes grouped by stream, each group in the caller's order (a later append may expect what an earlier one writes). */
export function groupByStream(entries: readonly PreparedAppend[]): number[][] {
  const groups = new Map<string, number[]>();
  entries.forEach((entry, index) => {
    const group = groups.get(entry.streamName);
    if (group) group.push(index);
    else groups.set(entry.streamName, [index]);
  });
  return [...groups.values()];
}

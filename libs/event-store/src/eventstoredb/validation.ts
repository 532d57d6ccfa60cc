import type { ExpectedRevision } from '../event-store.port.js';

/** Input checks: bad input fails here with a clear TypeError/RangeError, before any network call. */

/** Our expected revisions are EventStoreDB's; a negative number would silently mean "no stream" on the wire. */
export function checkExpectedRevision(expected: ExpectedRevision): ExpectedRevision {
  if (typeof expected === 'bigint') {
    if (expected < 0n) throw new RangeError(`expected revision ${expected} is negative; use 'no_stream' for a new stream`);
    return expected;
  }
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return expected;
  throw new TypeError(`expected revision ${String(expected)} must be a bigint, 'no_stream', 'stream_exists' or 'any'`);
}

/** `$` names are EventStoreDB system streams: not ours to write, read or delete. */
export function checkStreamName(streamName: string): string {
  if (typeof streamName !== 'string' || streamName === '' || streamName.startsWith('$')) {
    throw new TypeError(`stream name ${JSON.stringify(streamName)} must be a non-empty string not starting with "$"`);
  }
  return streamName;
}

export function checkCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} ${value} must be a positive integer`);
  return value;
}

export function checkRevision(value: bigint, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n) throw new RangeError(`${what} ${String(value)} must be a non-negative bigint`);
  return value;
}

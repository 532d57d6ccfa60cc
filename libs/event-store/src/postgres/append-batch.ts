import { UniqueIntegrityConstraintViolationError } from 'slonik';
import type { CommonQueryMethods } from '#database';
import { WrongExpectedRevisionError } from '../errors.js';
import type { AppendResult } from '../event-store.port.js';
import { mapBounded } from '../map-bounded.js';
import { writeAppends, type AppendTransport } from './append-statement.js';
import { lookupStored } from './lookup-stored.js';
import { formatExpected, resolveUnwritten } from './resolve-unwritten.js';
import type { ValidAppend } from './validate-append.js';

export type AppendOutcome = AppendResult | WrongExpectedRevisionError;

export interface AppendBatchOptions {
  readonly transport?: AppendTransport;
  /** Statements of one round in flight at once, each on its own pooled connection. Default 1. */
  readonly concurrency?: number;
}

/** Bounds one statement's size (and its locks) without costing round trips in practice. */
const MAX_EVENTS_PER_STATEMENT = 10_000;
/**
 * Bounds one statement's JSON (characters of data + metadata): the 'json' transport sends
 * each input as one jsonb document, and a jsonb value cannot exceed 256 MB.
 */
const MAX_JSON_PER_STATEMENT = 64 * 1024 * 1024;
/** A round is split for concurrent statements only into parts of at least this many events. */
const MIN_EVENTS_PER_CONCURRENT_STATEMENT = 1000;
/** Attempts per statement when concurrent writers keep changing what it saw. */
const MAX_ATTEMPTS = 5;

/**
 * appendMany: rounds of statements (the k-th append to a stream is in round k), each
 * statement at most MAX_EVENTS_PER_STATEMENT events and its own transaction; the statements
 * of a round touch distinct streams, so up to `concurrency` of them run at once on separate
 * connections (appendMany is atomic per stream, not across streams). Refused streams are
 * explained afterwards (retry, duplicate, conflict). Throws DuplicateEventError.
 */
export async function appendBatch(
  db: CommonQueryMethods,
  entries: readonly ValidAppend[],
  options: AppendBatchOptions = {},
): Promise<AppendOutcome[]> {
  const { transport = 'json', concurrency = 1 } = options;
  const outcomes = new Array<AppendOutcome>(entries.length);
  const limits = {
    maxEvents: MAX_EVENTS_PER_STATEMENT,
    maxJson: MAX_JSON_PER_STATEMENT,
    parts: concurrency,
    minPartEvents: MIN_EVENTS_PER_CONCURRENT_STATEMENT,
  };
  for (const round of planStatements(entries, limits)) {
    // After a failure no statement starts, and the call rejects only once those in flight have
    // settled: nothing of this call is written after it has returned.
    let failure: { readonly error: unknown } | undefined;
    await mapBounded(round, concurrency, async (group) => {
      if (failure) return;
      try {
        const settled = await appendGroup(
          db,
          group.map((index) => entries[index]!),
          transport,
        );
        group.forEach((index, k) => (outcomes[index] = settled[k]!));
      } catch (error) {
        failure ??= { error };
      }
    });
    if (failure) throw failure.error;
  }
  return outcomes;
}

export interface StatementLimits {
  readonly maxEvents: number;
  readonly maxJson: number;
  /** A round of more than `minPartEvents` events is cut into about this many statements. */
  readonly parts: number;
  readonly minPartEvents: number;
}

/**
 * Splits a batch into rounds of statements: the k-th append to a stream goes to round k (a
 * statement bumps a stream row once, and the caller's order per stream is kept). A round is
 * cut into chunks of at most `maxEvents` events and `maxJson` characters of serialised
 * data + metadata (one oversized append stays whole), and into at most `parts` chunks of
 * about equal size, none made smaller than `minPartEvents` for it.
 */
export function planStatements(
  entries: ReadonlyArray<Pick<ValidAppend, 'streamName' | 'events' | 'serialized'>>,
  limits: StatementLimits,
): number[][][] {
  const rounds: number[][] = [];
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const round = seen.get(entry.streamName) ?? 0;
    seen.set(entry.streamName, round + 1);
    (rounds[round] ??= []).push(index);
  });
  return rounds.map((round) => {
    const total = round.reduce((sum, index) => sum + entries[index]!.events.length, 0);
    const part = Math.max(limits.minPartEvents, Math.ceil(total / limits.parts));
    const chunks: number[][] = [];
    let size = Infinity;
    let json = 0;
    for (const index of round) {
      const count = entries[index]!.events.length;
      const chars = jsonLength(entries[index]!.serialized);
      if (size >= part || size + count > limits.maxEvents || json + chars > limits.maxJson) {
        chunks.push([]);
        size = 0;
        json = 0;
      }
      chunks[chunks.length - 1]!.push(index);
      size += count;
      json += chars;
    }
    return chunks;
  });
}

function jsonLength(events: ValidAppend['serialized']): number {
  let chars = 0;
  for (const event of events) chars += event.data.length + event.metadata.length;
  return chars;
}

async function appendGroup(db: CommonQueryMethods, entries: readonly ValidAppend[], transport: AppendTransport): Promise<AppendOutcome[]> {
  const outcomes = new Array<AppendOutcome>(entries.length);
  let pending = entries.map((_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const subset = pending.map((index) => entries[index]!);
    let written: Map<number, AppendResult>;
    try {
      written = await writeAppends(db, subset, transport);
    } catch (error) {
      // A concurrent writer committed one of these ids after our snapshot; the next attempt sees it.
      if (isEventIdRace(error) && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
    const refused = subset.flatMap((_, k) => {
      const result = written.get(k);
      if (result) outcomes[pending[k]!] = result;
      return result ? [] : [k];
    });
    if (refused.length === 0) break;
    const stored = await lookupStored(
      db,
      refused.map((k) => subset[k]!),
    );
    const again: number[] = [];
    for (const k of refused) {
      const entry = subset[k]!;
      const actual = stored.revisions.get(entry.streamName) ?? 'no_stream';
      const resolution = resolveUnwritten(entry, stored.events, actual);
      if (resolution.kind === 'duplicate') throw resolution.error;
      if (resolution.kind === 'again' && attempt < MAX_ATTEMPTS) again.push(pending[k]!);
      else if (resolution.kind === 'again')
        outcomes[pending[k]!] = new WrongExpectedRevisionError(entry.streamName, formatExpected(entry.expectedRevision), actual);
      else outcomes[pending[k]!] = resolution.kind === 'retried' ? resolution.result : resolution.error;
    }
    pending = again;
  }
  return outcomes;
}

function isEventIdRace(error: unknown): boolean {
  return error instanceof UniqueIntegrityConstraintViolationError && error.constraint === 'events_event_id_key';
}

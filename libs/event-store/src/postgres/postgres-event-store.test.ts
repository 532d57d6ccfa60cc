import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, testServerUrl, type TestDatabase } from '#database/testing';
import { completes, ids, newEvent, pull, untilVisible } from '../../test-support/contract-helpers.js';
import { DuplicateEventError, StreamNotFoundError, WrongExpectedRevisionError } from '../errors.js';
import { comparePositions, type AppendResult, type StreamAppend } from '../event-store.port.js';
import { UpcasterRegistry } from '../upcasting.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { InvalidAppendError } from './validate-append.js';

const upcasters = new UpcasterRegistry([
  {
    fromType: 'widget.added.v1',
    toType: 'widget.added.v2',
    upcast: ({ data }) => ({ data: { title: (data as { name: string }).name, size: 0 } }),
  },
]);

describe('PostgresEventStore: PostgreSQL specifics', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const stream = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    // slonik emits every query error on the pool; with no listener Node rethrows it, and under
    // Jest's VM realms it comes out wrapped as ERR_UNHANDLED_ERROR instead of the typed error.
    db.pool.on('error', () => undefined);
    store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, upcasters, pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('erases a deleted stream from the global log; the name can then start again at revision 0', async () => {
    const s = stream('erase');
    const { position } = await store.append(s, [newEvent('erase.v1'), newEvent('erase.v1')], 'no_stream');
    await untilVisible(store, position);
    await store.deleteStream(s);
    expect((await store.readAll({ eventTypes: ['erase.v1'] })).filter((e) => e.streamName === s)).toEqual([]);
    expect((await store.append(s, [newEvent('erase.v1')], 'no_stream')).nextExpectedRevision).toBe(0n);
  });

  it('appendMany with appendConcurrency 1 writes thousands of streams in one transaction per round, in the caller order per stream', async () => {
    const serial = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, appendConcurrency: 1 });
    const names = Array.from({ length: 2500 }, (_, i) => stream(`fleet-${i}`));
    const first: StreamAppend[] = names.map((streamName) => ({
      streamName,
      events: [newEvent('fleet.swept.v1')],
      expectedRevision: 'no_stream',
    }));
    const again: StreamAppend[] = names
      .slice(0, 500)
      .map((streamName) => ({ streamName, events: [newEvent('fleet.swept.v1')], expectedRevision: 0n }));
    const results = (await serial.appendMany([...first, ...again])) as AppendResult[];
    await serial.close();
    expect(results.every((r) => !(r instanceof Error))).toBe(true);
    expect(results.map((r) => r.nextExpectedRevision)).toEqual([...names.map(() => 0n), ...again.map(() => 1n)]);
    // one transaction per round: the 2500 first appends share a commit, the 500 second ones another
    expect(new Set(results.slice(0, 2500).map((r) => r.position.commit)).size).toBe(1);
    expect(new Set(results.slice(2500).map((r) => r.position.commit)).size).toBe(1);
    expect(ids(await store.readStream(names[0]!))).toEqual(ids([first[0]!.events[0]!, again[0]!.events[0]!]));
  });

  it('appendMany runs a large round as concurrent statements: results in input order, conflicts and retries per entry', async () => {
    const concurrent = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, appendConcurrency: 3 });
    try {
      const existing = Array.from({ length: 300 }, (_, i) => stream(`taken-${i}`));
      const earlier: StreamAppend[] = existing.map((streamName) => ({
        streamName,
        events: [newEvent('wide.v1'), newEvent('wide.v1')],
        expectedRevision: 'no_stream',
      }));
      const earlierResults = (await concurrent.appendMany(earlier)) as AppendResult[];
      // 1,500 new streams x 2 events, each followed by a second append to the same stream every
      // 5th entry, with a stale expectation on a taken stream or a retry of `earlier` in between
      const batch: StreamAppend[] = [];
      const expected: Array<bigint | 'conflict' | AppendResult> = [];
      for (let i = 0; i < 1500; i++) {
        const streamName = stream(`wide-${i}`);
        batch.push({ streamName, events: [newEvent('wide.v1'), newEvent('wide.v1')], expectedRevision: 'no_stream' });
        expected.push(1n);
        if (i % 5 === 0) {
          batch.push({ streamName, events: [newEvent('wide.v1')], expectedRevision: 1n });
          expected.push(2n);
        }
        if (i % 10 === 3) {
          batch.push({ streamName: existing[Math.floor(i / 10)]!, events: [newEvent('wide.v1')], expectedRevision: 0n });
          expected.push('conflict');
        }
        if (i % 10 === 7) {
          batch.push(earlier[Math.floor(i / 10)]!);
          expected.push(earlierResults[Math.floor(i / 10)]!);
        }
      }
      const results = await concurrent.appendMany(batch);
      expect(results).toHaveLength(batch.length);
      results.forEach((result, i) => {
        const want = expected[i]!;
        if (want === 'conflict') {
          expect(result).toBeInstanceOf(WrongExpectedRevisionError);
          expect(result).toMatchObject({ streamName: batch[i]!.streamName, actual: 1n });
        } else if (typeof want === 'bigint') expect((result as AppendResult).nextExpectedRevision).toBe(want);
        else expect(result).toEqual(want);
      });
      // the first round (3,450 events) went out as three statements, each its own transaction
      const firstRound = results.filter((_, i) => batch[i]!.expectedRevision === 'no_stream' && expected[i] === 1n) as AppendResult[];
      expect(new Set(firstRound.map((r) => r.position.commit)).size).toBe(3);
      const sample = batch.findIndex((entry, i) => expected[i] === 2n && i > 1000);
      expect(ids(await concurrent.readStream(batch[sample]!.streamName))).toEqual(
        ids([...batch[sample - 1]!.events, ...batch[sample]!.events]),
      );
      for (const name of existing.slice(0, 20)) expect(await concurrent.readStream(name)).toHaveLength(2);
      // every append is in the log once the last of them is readable
      const last = results.reduce<AppendResult>(
        (max, r) => (r instanceof Error || comparePositions(r.position, max.position) <= 0 ? max : r),
        earlierResults[0]!,
      );
      await untilVisible(concurrent, last.position);
      const logged = new Set(ids(await concurrent.readAll({ eventTypes: ['wide.v1'] })));
      expect(batch.flatMap((entry, i) => (expected[i] === 'conflict' ? [] : ids(entry.events))).every((id) => logged.has(id))).toBe(true);
    } finally {
      await concurrent.close();
    }
  });

  it('a concurrent appendMany whose statement fails rejects once those in flight have settled, and starts no later round', async () => {
    const concurrent = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, appendConcurrency: 3 });
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      const taken = newEvent('held.v1');
      await concurrent.append(stream('owner'), [taken], 'no_stream');
      const batch: StreamAppend[] = Array.from({ length: 1500 }, (_, i) => ({
        streamName: stream(`held-${i}`),
        events: i === 0 ? [taken, newEvent('held.v1')] : [newEvent('held.v1'), newEvent('held.v1')],
        expectedRevision: 'no_stream',
      }));
      // an uncommitted row for a stream of the third statement makes that statement wait
      await blocker.query('BEGIN');
      await blocker.query('INSERT INTO event_store.streams (stream_name, revision) VALUES ($1, 0)', [batch[1499]!.streamName]);
      const later: StreamAppend = { streamName: batch[1200]!.streamName, events: [newEvent('held.v1')], expectedRevision: 1n };
      let settled = false;
      const appended = concurrent.appendMany([...batch, later]).finally(() => (settled = true));
      appended.catch(() => undefined);
      // the first statement has failed and the second committed (their streams are stored) ...
      const stored = async (name: string) =>
        (await blocker.query('SELECT 1 FROM event_store.events WHERE stream_name = $1', [name])).rowCount;
      while (!(await stored(batch[1]!.streamName)) || !(await stored(batch[700]!.streamName))) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300)); // ... and its DuplicateEventError is settled by now
      expect(settled).toBe(false);
      await blocker.query('ROLLBACK');
      await expect(appended).rejects.toBeInstanceOf(DuplicateEventError);
      for (const entry of [batch[1200]!, batch[1499]!]) {
        expect(ids(await concurrent.readStream(entry.streamName))).toEqual(ids(entry.events)); // not `later`
      }
      await expect(concurrent.readStream(batch[0]!.streamName)).rejects.toBeInstanceOf(StreamNotFoundError);
    } finally {
      await blocker.end();
      await concurrent.close();
    }
  });

  it('appendMany answers retried entries with their first result and writes the new ones', async () => {
    const batch: StreamAppend[] = Array.from({ length: 10 }, (_, i) => ({
      streamName: stream(`retry-${i}`),
      events: [newEvent('retry.v1')],
      expectedRevision: 'no_stream',
    }));
    const firstResults = await store.appendMany(batch);
    const fresh: StreamAppend[] = Array.from({ length: 5 }, (_, i) => ({
      streamName: stream(`fresh-${i}`),
      events: [newEvent('retry.v1')],
      expectedRevision: 'no_stream',
    }));
    const results = await store.appendMany([...fresh, ...batch]);
    expect(results.slice(5)).toEqual(firstResults);
    expect(results.slice(0, 5).every((r) => !(r instanceof WrongExpectedRevisionError))).toBe(true);
    for (const entry of batch) expect(await store.readStream(entry.streamName)).toHaveLength(1);
  });

  it('refuses an event id stored in another stream, or with other data, with DuplicateEventError', async () => {
    const event = newEvent('dup.v1', { amount: 1 });
    const s = stream('dup');
    await store.append(s, [event], 'no_stream');
    await expect(store.append(stream('dup-elsewhere'), [event], 'any')).rejects.toBeInstanceOf(DuplicateEventError);
    await expect(store.append(s, [{ ...event, data: { amount: 2 } }], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventError);
    await expect(store.append(s, [event, newEvent('dup.v1')], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventError);
    expect(await store.readStream(s)).toHaveLength(1);
  });

  it('refuses an appendConcurrency that is not a positive integer', () => {
    for (const appendConcurrency of [0, 1.5]) {
      expect(() => new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, appendConcurrency })).toThrow(RangeError);
    }
  });

  it('refuses malformed input with typed errors before touching the database', async () => {
    await expect(store.append(stream('bad'), [], 'any')).rejects.toBeInstanceOf(InvalidAppendError);
    await expect(store.append(stream('bad'), [{ ...newEvent('bad.v1'), data: { big: 1n } }], 'any')).rejects.toBeInstanceOf(
      InvalidAppendError,
    );
    await expect(store.readAll({ maxCount: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(store.readStream(stream('bad'), { fromRevision: -1n })).rejects.toBeInstanceOf(RangeError);
    expect(() => store.subscribeToAll({ maxBatchSize: 1.5 })).toThrow(RangeError);
  });

  it('hides appends from the log while an older transaction is open, but not from their stream', async () => {
    // a visible marker makes the head known: nothing earlier can still appear
    const marker = await store.append(stream('marker'), [newEvent('marker.v1')], 'no_stream');
    await untilVisible(store, marker.position);
    const before = await store.headPosition();
    const older = new pg.Client({ connectionString: db.url });
    await older.connect();
    try {
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()'); // takes a transaction id older than the append's
      const s = stream('hidden');
      const event = newEvent('hidden.v1');
      const { position } = await store.append(s, [event], 'no_stream');
      expect(await store.readAll({ ...(before && { after: before }), eventTypes: ['hidden.v1'] })).toEqual([]);
      expect(await store.headPosition()).toEqual(before);
      expect(await store.committedHead()).toEqual(position); // committed, only not readable yet
      expect(ids(await store.readStream(s))).toEqual(ids([event]));
      await older.query('COMMIT');
      await untilVisible(store, position);
      expect(ids(await store.readAll({ ...(before && { after: before }), eventTypes: ['hidden.v1'] }))).toEqual(ids([event]));
    } finally {
      await older.end();
    }
  });

  it('is not held back by an open transaction of another database (it cannot write these events)', async () => {
    const elsewhere = new pg.Client({ connectionString: testServerUrl() });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      const { position } = await store.append(stream('unblocked'), [newEvent('unblocked.v1')], 'no_stream');
      await untilVisible(store, position); // would wait forever behind plain pg_snapshot_xmin
      expect(await store.readAll({ after: { commit: position.commit, prepare: position.prepare - 1n } })).toHaveLength(1);
    } finally {
      await elsewhere.query('ROLLBACK');
      await elsewhere.end();
    }
  });

  it('upcasts on every read path and filters on the upcast type', async () => {
    const before = await store.headPosition();
    const s = stream('widget');
    const { position } = await store.append(s, [newEvent('widget.added.v1', { name: 'w' })], 'no_stream');
    const expected = { type: 'widget.added.v2', data: { title: 'w', size: 0 } };
    expect(await store.readStream(s)).toMatchObject([expected]);
    await untilVisible(store, position);
    const after = before ? { after: before } : {};
    expect(await store.readAll({ ...after, eventTypes: ['widget.added.v2'] })).toMatchObject([expected]);
    expect(await store.readAll({ ...after, eventTypes: ['widget.added.v1'] })).toEqual([]);
    const controller = new AbortController();
    const iterator = store.subscribeToAll({ ...after, eventTypes: ['widget.added.v2'], signal: controller.signal })[Symbol.asyncIterator]();
    expect(await pull(iterator, (r) => r.length >= 1)).toMatchObject([expected]);
    controller.abort();
    await completes(iterator);
  });

  it('close() ends live subscriptions', async () => {
    const other = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url });
    const iterator = other.subscribeToAll({ eventTypes: ['nothing.v1'] })[Symbol.asyncIterator]();
    const next = iterator.next();
    await other.close();
    expect(await next).toEqual({ done: true, value: undefined });
  });

  it('reading a deleted stream or deleting it twice throws StreamNotFoundError', async () => {
    const s = stream('gone');
    await store.append(s, [newEvent('gone.v1')], 'no_stream');
    await store.deleteStream(s);
    await expect(store.readStream(s, { fromRevision: 0n })).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(store.deleteStream(s)).rejects.toBeInstanceOf(StreamNotFoundError);
  });
});

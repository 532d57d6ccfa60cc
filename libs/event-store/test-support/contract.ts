import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StreamNotFoundError, WrongExpectedRevisionError } from '../src/errors.js';
import { comparePositions, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent } from '../src/event-store.port.js';
import { contractNames, completes, isStrictlyIncreasing, ids, newEvent, pull, untilVisible } from './contract-helpers.js';

export interface ContractSubject {
  readonly store: EventStore;
  teardown(): Promise<void>;
}

/**
 * The behaviour every EventStore adapter must show. Streams and event types are unique to
 * the run, so it also runs against a shared server that holds other data.
 */
export function describeEventStoreContract(name: string, factory: () => Promise<ContractSubject>): void {
  describe(`EventStore contract: ${name}`, () => {
    let subject: ContractSubject | undefined;
    const store = (): EventStore => subject!.store;
    const { type, stream } = contractNames();
    const [created, changed, noted] = [type('created'), type('changed'), type('noted')];
    const ours = [created, changed, noted];

    beforeAll(async () => {
      subject = await factory();
    });
    afterAll(async () => subject?.teardown());

    async function seed(streamName: string, count: number): Promise<{ events: NewEvent[]; result: AppendResult }> {
      const events = Array.from({ length: count }, (_, i) => newEvent(i === 0 ? created : changed, { i, streamName }));
      return { events, result: await store().append(streamName, events, 'no_stream') };
    }

    describe('streams', () => {
      it('reads back appended events in revision order, with their metadata', async () => {
        const s = stream('roundtrip');
        const { events, result } = await seed(s, 3);
        expect(result.nextExpectedRevision).toBe(2n);
        const read = await store().readStream(s);
        expect(read.map((e) => [e.streamName, e.streamRevision, e.type, e.data, e.metadata])).toEqual(
          events.map((e, i) => [s, BigInt(i), e.type, e.data, e.metadata]),
        );
        expect(read[2]!.position).toEqual(result.position);
      });

      it('honours fromRevision and maxCount', async () => {
        const s = stream('slice');
        const { events } = await seed(s, 5);
        const read = await store().readStream(s, { fromRevision: 1n, maxCount: 3 });
        expect(ids(read)).toEqual(ids(events.slice(1, 4)));
      });

      it('throws StreamNotFoundError for a stream that never existed', async () => {
        await expect(store().readStream(stream('missing'))).rejects.toBeInstanceOf(StreamNotFoundError);
      });
    });

    describe('expected revision', () => {
      async function expectConflict(streamName: string, expected: ExpectedRevision, actual: bigint | 'no_stream'): Promise<void> {
        const error = await store()
          .append(streamName, [newEvent(changed)], expected)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ streamName, actual });
      }

      it('no_stream on an existing stream conflicts and writes nothing', async () => {
        const s = stream('exists');
        await seed(s, 1);
        await expectConflict(s, 'no_stream', 0n);
        expect(await store().readStream(s)).toHaveLength(1);
      });

      it('stream_exists on a missing stream conflicts and creates nothing', async () => {
        const s = stream('absent');
        await expectConflict(s, 'stream_exists', 'no_stream');
        await expect(store().readStream(s)).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      it('a stale revision conflicts; the current one appends', async () => {
        const s = stream('stale');
        await seed(s, 2);
        await expectConflict(s, 0n, 1n);
        await expectConflict(stream('nothing-yet'), 0n, 'no_stream');
        const result = await store().append(s, [newEvent(changed)], 1n);
        expect(result.nextExpectedRevision).toBe(2n);
      });

      it('any appends whatever the state; stream_exists appends to an existing stream', async () => {
        const s = stream('any');
        expect((await store().append(s, [newEvent(created)], 'any')).nextExpectedRevision).toBe(0n);
        expect((await store().append(s, [newEvent(changed), newEvent(changed)], 'any')).nextExpectedRevision).toBe(2n);
        expect((await store().append(s, [newEvent(changed)], 'stream_exists')).nextExpectedRevision).toBe(3n);
      });
    });

    describe('idempotent retries (same event ids)', () => {
      it('returns the first result and writes nothing more', async () => {
        const s = stream('retry');
        const { events, result } = await seed(s, 2);
        expect(await store().append(s, events, 'no_stream')).toEqual(result);
        const next = [newEvent(changed), newEvent(changed)];
        const second = await store().append(s, next, 1n);
        expect(await store().append(s, next, 1n)).toEqual(second);
        expect(ids(await store().readStream(s))).toEqual(ids([...events, ...next]));
      });

      it('two identical appends racing both succeed with one result and one copy', async () => {
        const s = stream('race');
        const events = [newEvent(created), newEvent(changed)];
        const results = await Promise.all([store().append(s, events, 'any'), store().append(s, events, 'any')]);
        expect(results[1]).toEqual(results[0]);
        expect(ids(await store().readStream(s))).toEqual(ids(events));
      });
    });

    it('appendMany settles each stream on its own: good ones written, conflicting ones untouched', async () => {
      const [fresh, existing, anyStream, taken, stale] = ['fresh', 'existing', 'any', 'taken', 'stale'].map(stream) as [
        string,
        string,
        string,
        string,
        string,
      ];
      await seed(existing, 1);
      await seed(taken, 1);
      await seed(stale, 2);
      const results = await store().appendMany([
        { streamName: fresh, events: [newEvent(created)], expectedRevision: 'no_stream' },
        { streamName: taken, events: [newEvent(created)], expectedRevision: 'no_stream' },
        { streamName: existing, events: [newEvent(changed), newEvent(changed)], expectedRevision: 0n },
        { streamName: stale, events: [newEvent(changed)], expectedRevision: 0n },
        { streamName: anyStream, events: [newEvent(created)], expectedRevision: 'any' },
      ]);
      expect(results.map((r) => (r instanceof WrongExpectedRevisionError ? r.streamName : r.nextExpectedRevision))).toEqual([
        0n,
        taken,
        2n,
        stale,
        0n,
      ]);
      expect(await store().readStream(taken)).toHaveLength(1);
      expect(await store().readStream(stale)).toHaveLength(2);
      expect(await store().readStream(existing)).toHaveLength(3);
    });

    describe('global log', () => {
      it('orders events across streams as appended; an append result is the position of its last event', async () => {
        const before = await store().headPosition();
        const [a, b] = [stream('log-a'), stream('log-b')];
        const e = [newEvent(created), newEvent(created), newEvent(changed), newEvent(changed)];
        const r1 = await store().append(a, [e[0]!], 'no_stream');
        const r2 = await store().append(b, [e[1]!], 'no_stream');
        const r3 = await store().append(a, [e[2]!, e[3]!], 0n);
        await untilVisible(store(), r3.position);
        const log = await store().readAll({ ...(before && { after: before }), eventTypes: ours });
        const mine = log.filter((x) => x.streamName === a || x.streamName === b);
        expect(ids(mine)).toEqual(ids(e));
        expect(isStrictlyIncreasing(log)).toBe(true);
        expect([mine[0]!.position, mine[1]!.position, mine[3]!.position]).toEqual([r1.position, r2.position, r3.position]);
        const head = await store().headPosition();
        expect(comparePositions(head!, r3.position)).toBeGreaterThanOrEqual(0);
      });

      it('readAll reads strictly after a position, up to maxCount, filtered by type', async () => {
        const before = await store().headPosition();
        const s = stream('after');
        const events = [newEvent(created), newEvent(noted), newEvent(changed), newEvent(noted), newEvent(noted)];
        const { position } = await store().append(s, events, 'no_stream');
        await untilVisible(store(), position);
        const all = (await store().readAll({ ...(before && { after: before }), eventTypes: ours })).filter((x) => x.streamName === s);
        const rest = await store().readAll({ after: all[0]!.position, eventTypes: [noted], maxCount: 2 });
        expect(ids(rest)).toEqual(ids([events[1]!, events[3]!]));
      });
    });

    describe('subscribeToAll', () => {
      it('catches up, then delivers live appends, each once, in order; abort ends it', async () => {
        const before = await store().headPosition();
        const s = stream('live');
        const { events } = await seed(s, 3);
        const controller = new AbortController();
        const iterator = store()
          .subscribeToAll({ ...(before && { after: before }), eventTypes: ours, signal: controller.signal, maxBatchSize: 2 })
          [Symbol.asyncIterator]();
        const received = await pull(iterator, (r) => r.length >= 3);
        const live = [newEvent(changed), newEvent(changed)];
        await store().append(s, live, 2n);
        const sentinel = newEvent(noted);
        await store().append(stream('sentinel'), [sentinel], 'no_stream');
        await pull(iterator, (r) => r.some((x) => x.metadata.eventId === sentinel.metadata.eventId), received);
        controller.abort();
        expect(ids(received)).toEqual(ids([...events, ...live, sentinel]));
        expect(isStrictlyIncreasing(received)).toBe(true);
        expect(await completes(iterator)).toBe(true);
      });

      it('resumes after a checkpoint with exactly the events after it', async () => {
        const before = await store().headPosition();
        const s = stream('resume');
        const { events, result } = await seed(s, 10);
        await untilVisible(store(), result.position);
        const stored = (await store().readAll({ ...(before && { after: before }), eventTypes: ours })).filter((x) => x.streamName === s);
        const sentinel = newEvent(noted);
        await store().append(stream('sentinel'), [sentinel], 'no_stream');
        const controller = new AbortController();
        const iterator = store()
          .subscribeToAll({ after: stored[3]!.position, eventTypes: ours, signal: controller.signal })
          [Symbol.asyncIterator]();
        const received = await pull(iterator, (r) => r.some((x) => x.metadata.eventId === sentinel.metadata.eventId));
        controller.abort();
        const fromUs = received.filter((x) => x.streamName === s || x.metadata.eventId === sentinel.metadata.eventId);
        expect(ids(fromUs)).toEqual(ids([...events.slice(4), sentinel]));
        await completes(iterator);
      });

      it('delivers only the requested event types', async () => {
        const before = await store().headPosition();
        const s = stream('filter');
        const events = [newEvent(created), newEvent(noted), newEvent(changed), newEvent(noted)];
        await store().append(s, events, 'no_stream');
        const controller = new AbortController();
        const iterator = store()
          .subscribeToAll({ ...(before && { after: before }), eventTypes: [noted], signal: controller.signal })
          [Symbol.asyncIterator]();
        const received = await pull(iterator, (r) => r.filter((x) => x.streamName === s).length >= 2);
        controller.abort();
        expect(received.every((x) => x.type === noted)).toBe(true);
        expect(ids(received.filter((x) => x.streamName === s))).toEqual(ids([events[1]!, events[3]!]));
        await completes(iterator);
      });
    });

    it('deleteStream removes the stream: reading it then throws StreamNotFoundError', async () => {
      const s = stream('erase');
      await seed(s, 2);
      await store().deleteStream(s);
      await expect(store().readStream(s)).rejects.toBeInstanceOf(StreamNotFoundError);
      await expect(store().deleteStream(s)).rejects.toBeInstanceOf(StreamNotFoundError);
    });
  });
}

import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { batchesOf, type BatchOptions } from './subscription-batches.js';

function setup(overrides: Partial<BatchOptions<number, number>> = {}) {
  const source = new PassThrough({ objectMode: true, highWaterMark: 100 });
  const abort = new AbortController();
  let stops = 0;
  const batches = batchesOf<number, number>(source, {
    maxBatchSize: 2,
    signal: abort.signal,
    select: (n) => n,
    mapError: (error) => new Error(`mapped: ${(error as Error).message}`),
    stop: async () => {
      stops++;
    },
    ...overrides,
  });
  return { source, abort, batches, stops: () => stops };
}

describe('batchesOf', () => {
  it('hands out what is buffered in batches of at most maxBatchSize, then waits for live events', async () => {
    const { source, batches } = setup();
    [1, 2, 3, 4, 5].forEach((n) => source.write(n));
    expect((await batches.next()).value).toEqual([1, 2]);
    expect((await batches.next()).value).toEqual([3, 4]);
    expect((await batches.next()).value).toEqual([5]);
    const live = batches.next();
    source.write(6);
    expect((await live).value).toEqual([6]);
    await batches.return();
  });

  it('completes when the signal aborts, even while waiting, and releases the subscription once', async () => {
    const { source, abort, batches, stops } = setup();
    const waiting = batches.next();
    abort.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(stops()).toBe(1);
    expect(source.destroyed).toBe(true);
  });

  it('delivers the events buffered before a source error, then throws the mapped error', async () => {
    const { source, batches, stops } = setup({ maxBatchSize: 10 });
    source.write(1);
    source.write(2);
    const received: number[][] = [];
    const consume = (async () => {
      for await (const batch of batches) {
        received.push(batch);
        // The client emits (not destroys) on a gRPC failure; do it once the first batch is out.
        source.emit('error', new Error('14 UNAVAILABLE'));
      }
    })();
    await expect(consume).rejects.toThrow('mapped: 14 UNAVAILABLE');
    expect(received).toEqual([[1, 2]]);
    expect(stops()).toBe(1);
  });

  it('skips what select rejects without yielding empty batches', async () => {
    const { source, batches } = setup({ select: (n) => (n % 2 === 0 ? n : null) });
    [1, 3, 5, 2, 7, 4, 6].forEach((n) => source.write(n));
    source.end();
    const all: number[][] = [];
    for await (const batch of batches) all.push(batch);
    expect(all).toEqual([[2, 4], [6]]);
  });

  it('releases the subscription when the consumer stops early', async () => {
    const { source, batches, stops } = setup();
    [1, 2, 3].forEach((n) => source.write(n));
    for await (const batch of batches) {
      expect(batch).toEqual([1, 2]);
      break;
    }
    expect(stops()).toBe(1);
    expect(source.destroyed).toBe(true);
  });
});

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { runsAcrossStreams } from './batch.js';

type E = { readonly type: string; readonly streamName: string; readonly n: number };

describe('runsAcrossStreams', () => {
  it('makes one run per type of a sweep batch ([detected, assigned, proposed] per org), in stream order', () => {
    const batch: E[] = ['a', 'b', 'c'].flatMap((s, i) =>
      ['detected', 'assigned', 'proposed'].map((type, k) => ({ type, streamName: s, n: i * 3 + k })),
    );
    expect(runsAcrossStreams(batch).map((r) => [r.type, r.events.map((e) => e.streamName).join('')])).toEqual([
      ['detected', 'abc'],
      ['assigned', 'abc'],
      ['proposed', 'abc'],
    ]);
  });

  it('keeps every stream in its own order and loses nothing, for any batch', () => {
    const event = fc.record({ type: fc.constantFrom('x', 'y', 'z'), streamName: fc.constantFrom('s1', 's2', 's3', 's4') });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (raw) => {
        const batch: E[] = raw.map((e, n) => ({ ...e, n }));
        const runs = runsAcrossStreams(batch);
        const flat = runs.flatMap((r) => r.events);
        expect([...flat].sort((a, b) => a.n - b.n)).toEqual(batch);
        for (const r of runs) expect(r.events.every((e) => e.type === r.type)).toBe(true);
        for (const s of ['s1', 's2', 's3', 's4']) {
          const order = flat.filter((e) => e.streamName === s).map((e) => e.n);
          expect(order).toEqual([...order].sort((a, b) => a - b));
        }
        // Never more runs than the batch in log order would need.
        const logOrderRuns = batch.filter((e, i) => i === 0 || batch[i - 1]!.type !== e.type).length;
        expect(runs.length).toBeLessThanOrEqual(logOrderRuns);
      }),
    );
  });
});

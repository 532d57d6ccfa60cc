import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { apportionCents } from './summary.query.js';

describe('apportionCents (largest remainder)', () => {
  it('hands the spare cents to the largest remainders, ties to the earlier part', () => {
    // 12.75 + 3.33 + 3.885 = 19.965 -> 1997 cents: the half cent of 3.885 takes the spare one.
    const parts = [
      { key: 'upsell', floorCents: 1275, remainder: 0 },
      { key: 'cross_sell', floorCents: 333, remainder: 0 },
      { key: 'feature_expansion', floorCents: 388, remainder: 0.5 },
    ];
    expect([...apportionCents(1997, parts)]).toEqual([
      ['upsell', 1275],
      ['cross_sell', 333],
      ['feature_expansion', 389],
    ]);
    const tie = [
      { key: 'a', floorCents: 0, remainder: 0.5 },
      { key: 'b', floorCents: 0, remainder: 0.5 },
    ];
    expect([...apportionCents(1, tie)]).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
    expect(apportionCents(0, []).size).toBe(0);
  });

  it('the parts add up to the rounded total, each within a cent of its exact share', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 5 }), (millis) => {
        // Exact shares in thousandths of a cent, as numeric sums would give them.
        const exact = millis.map((m) => m / 1000);
        const total = Math.round(millis.reduce((s, m) => s + m, 0) / 1000);
        const parts = exact.map((e, i) => ({ key: i, floorCents: Math.floor(e), remainder: e - Math.floor(e) }));
        const cents = apportionCents(total, parts);
        expect([...cents.values()].reduce((s, c) => s + c, 0)).toBe(total);
        parts.forEach((p, i) => expect(Math.abs(cents.get(i)! - exact[i]!)).toBeLessThan(1));
      }),
    );
  });
});

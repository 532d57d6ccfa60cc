import { describe, expect, it } from '@jest/globals';
import {
  differenceOfMeansInterval,
  METHOD,
  MINIMUM_SAMPLE_PER_ARM,
  minimumDetectableEffect,
  newcombeDifferenceInterval,
  normalQuantile,
  upliftOf,
  wilsonInterval,
  type ArmAggregate,
  type Interval,
} from './uplift-statistics.js';

/** The literature prints 4 decimals: agree to half a unit in the last place. */
function expectLimits(interval: Interval, low: number, high: number): void {
  expect(Math.abs(interval.low - low)).toBeLessThanOrEqual(0.00005);
  expect(Math.abs(interval.high - high)).toBeLessThanOrEqual(0.00005);
}

function arm(orgs: number, conversions: number, overrides: Partial<ArmAggregate> = {}): ArmAggregate {
  // Each conversion realises 15 MRR, everyone else 0: sum 15x, sum of squares 225x.
  return { orgs, conversions, mrrSum: 15 * conversions, mrrSumOfSquares: 225 * conversions, creditsSpent: 0, ...overrides };
}

describe('normalQuantile', () => {
  it('gives the familiar two-sided 95 % and 80 % power z values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 6);
  });
});

describe('wilsonInterval: Newcombe (1998a, "single proportion"), Table I, method 3', () => {
  it.each([
    { x: 81, n: 263, low: 0.2553, high: 0.3662 },
    { x: 15, n: 148, low: 0.0624, high: 0.1605 },
    { x: 0, n: 20, low: 0, high: 0.1611 },
    { x: 1, n: 29, low: 0.0061, high: 0.1718 },
  ])('$x/$n -> ($low, $high)', ({ x, n, low, high }) => {
    const interval = wilsonInterval(x, n);
    expect(interval.estimate).toBe(x / n);
    expectLimits(interval, low, high);
  });

  it('is exactly 0 at x = 0 and exactly 1 at x = n, and stays inside [0, 1]', () => {
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(10, 10).high).toBe(1);
    expect(wilsonInterval(10, 10).low).toBeCloseTo(1 - wilsonInterval(0, 10).high, 12);
  });

  it('refuses n = 0, non-integers, negatives and x > n, naming the argument', () => {
    expect(() => wilsonInterval(0, 0)).toThrow(new RangeError('trials must be at least 1, got 0'));
    expect(() => wilsonInterval(1.5, 10)).toThrow(/^successes must be a non-negative integer, got 1.5$/);
    expect(() => wilsonInterval(-1, 10)).toThrow(/^successes must be a non-negative integer/);
    expect(() => wilsonInterval(3, 2)).toThrow(/^successes \(3\) must not exceed trials \(2\)$/);
    expect(() => wilsonInterval(1, 10, 0)).toThrow(/^z must be a positive finite number/);
  });
});

describe('newcombeDifferenceInterval: Newcombe (1998b, "difference between independent proportions"), Table II, method 10', () => {
  it.each([
    { x1: 56, n1: 70, x2: 48, n2: 80, low: 0.0524, high: 0.3339 },
    { x1: 9, n1: 10, x2: 3, n2: 10, low: 0.1705, high: 0.809 },
    { x1: 6, n1: 7, x2: 2, n2: 7, low: 0.0582, high: 0.8062 },
    { x1: 5, n1: 56, x2: 0, n2: 29, low: -0.0381, high: 0.1926 },
    { x1: 0, n1: 10, x2: 0, n2: 20, low: -0.1611, high: 0.2775 },
    { x1: 10, n1: 10, x2: 0, n2: 20, low: 0.6791, high: 1 },
    { x1: 10, n1: 10, x2: 0, n2: 10, low: 0.6075, high: 1 },
  ])('$x1/$n1 - $x2/$n2 -> ($low, $high)', ({ x1, n1, x2, n2, low, high }) => {
    const interval = newcombeDifferenceInterval(x1, n1, x2, n2);
    expect(interval.estimate).toBeCloseTo(x1 / n1 - x2 / n2, 12);
    expectLimits(interval, low, high);
  });

  it('is antisymmetric: swapping the arms negates and swaps the limits', () => {
    const forward = newcombeDifferenceInterval(56, 70, 48, 80);
    const backward = newcombeDifferenceInterval(48, 80, 56, 70);
    expect(backward.low).toBeCloseTo(-forward.high, 12);
    expect(backward.high).toBeCloseTo(-forward.low, 12);
  });

  it('narrows with the confidence level', () => {
    const at95 = newcombeDifferenceInterval(56, 70, 48, 80);
    const at90 = newcombeDifferenceInterval(56, 70, 48, 80, 0.9);
    expect(at90.low).toBeGreaterThan(at95.low);
    expect(at90.high).toBeLessThan(at95.high);
  });

  it('refuses malformed counts naming the argument, and a confidence outside (0, 1)', () => {
    expect(() => newcombeDifferenceInterval(1, 0, 0, 10)).toThrow(/^n1 must be at least 1/);
    expect(() => newcombeDifferenceInterval(1, 10, 11, 10)).toThrow(/^x2 \(11\) must not exceed n2 \(10\)$/);
    expect(() => newcombeDifferenceInterval(1, 10, 0, 10.5)).toThrow(/^n2 must be a non-negative integer/);
    expect(() => newcombeDifferenceInterval(1, 10, 0, 10, 1)).toThrow(/^confidence must be strictly between 0 and 1/);
  });
});

describe('minimumDetectableEffect (80 % power, two-sided alpha 0.05)', () => {
  it('matches the textbook formula where the variance hardly moves: 20,000 per arm at 10 %', () => {
    // (1.96 + 0.8416) x sqrt(2 x 0.1 x 0.9 / 20,000) = 0.00840; the lift's own variance adds a little.
    const mde = minimumDetectableEffect(0.1, 20_000, 20_000);
    expect(mde).toBeGreaterThan(0.0084);
    expect(mde).toBeLessThan(0.0087);
  });

  it('shrinks as either arm grows', () => {
    const sizes = [100, 200, 1_000, 2_000, 20_000, 100_000];
    const balanced = sizes.map((n) => minimumDetectableEffect(0.1, n, n));
    const moreTreatment = sizes.map((n) => minimumDetectableEffect(0.1, n, 1_000));
    for (let i = 1; i < sizes.length; i += 1) {
      expect(balanced[i]!).toBeLessThan(balanced[i - 1]!);
      expect(moreTreatment[i]!).toBeLessThan(moreTreatment[i - 1]!);
    }
  });

  it('grows with the power asked for and shrinks with a looser alpha', () => {
    const standard = minimumDetectableEffect(0.1, 2_000, 2_000);
    expect(minimumDetectableEffect(0.1, 2_000, 2_000, { power: 0.9 })).toBeGreaterThan(standard);
    expect(minimumDetectableEffect(0.1, 2_000, 2_000, { alpha: 0.1 })).toBeLessThan(standard);
  });

  it('replaces a control rate of 0 by 0.5 / n rather than reporting a zero-variance 0', () => {
    const atZero = minimumDetectableEffect(0, 1_000, 1_000);
    expect(atZero).toBeGreaterThan(0);
    expect(atZero).toBe(minimumDetectableEffect(0.5 / 1_000, 1_000, 1_000));
  });

  it('is Infinity when no lift up to a rate of 1 reaches the power (control rate 1)', () => {
    expect(minimumDetectableEffect(1, 1_000, 1_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses rates outside [0, 1], empty arms and out-of-range options, naming them', () => {
    expect(() => minimumDetectableEffect(1.2, 100, 100)).toThrow(/^controlRate must be within \[0, 1\]/);
    expect(() => minimumDetectableEffect(Number.NaN, 100, 100)).toThrow(/^controlRate must be a finite number/);
    expect(() => minimumDetectableEffect(0.1, 0, 100)).toThrow(/^nTreatment must be at least 1/);
    expect(() => minimumDetectableEffect(0.1, 100, -3)).toThrow(/^nControl must be a non-negative integer/);
    expect(() => minimumDetectableEffect(0.1, 100, 100, { power: 1 })).toThrow(/^power must be strictly between 0 and 1/);
    expect(() => minimumDetectableEffect(0.1, 100, 100, { alpha: 0 })).toThrow(/^alpha must be strictly between 0 and 1/);
  });
});

describe('differenceOfMeansInterval (Welch, normal approximation)', () => {
  it('is the difference of means +- 1.96 x sqrt(s_t^2 / n_t + s_c^2 / n_c)', () => {
    // Treatment values 1..5 (mean 3, variance 2.5); control 2, 2, 2, 6 (mean 3, variance 4).
    const interval = differenceOfMeansInterval({ n: 5, sum: 15, sumOfSquares: 55 }, { n: 4, sum: 12, sumOfSquares: 48 });
    const halfWidth = normalQuantile(0.975) * Math.sqrt(2.5 / 5 + 4 / 4);
    expect(interval.estimate).toBe(0);
    expect(interval.low).toBeCloseTo(-halfWidth, 12);
    expect(interval.high).toBeCloseTo(halfWidth, 12);
  });

  it('collapses to the point when both arms have no spread', () => {
    expect(differenceOfMeansInterval({ n: 3, sum: 30, sumOfSquares: 300 }, { n: 2, sum: 10, sumOfSquares: 50 })).toEqual({
      estimate: 5,
      low: 5,
      high: 5,
    });
  });

  it('refuses fewer than 2 orgs per arm and non-finite sums, naming the argument', () => {
    expect(() => differenceOfMeansInterval({ n: 1, sum: 1, sumOfSquares: 1 }, { n: 5, sum: 1, sumOfSquares: 1 })).toThrow(
      /^t.n must be at least 2/,
    );
    expect(() => differenceOfMeansInterval({ n: 5, sum: 1, sumOfSquares: 1 }, { n: 5, sum: Infinity, sumOfSquares: 1 })).toThrow(
      /^c.sum must be a finite number/,
    );
  });
});

describe('upliftOf (one play, or overall)', () => {
  it('reports the lift, incremental conversions and MRR scaled by treatment orgs, MRR per credit and the MDE', () => {
    const treatment = arm(2_000, 260, { creditsSpent: 400 });
    const control = arm(2_000, 200);
    const figures = upliftOf(treatment, control);

    const lift = newcombeDifferenceInterval(260, 2_000, 200, 2_000);
    expect(figures.enoughData).toBe(true);
    expect(figures.notEnoughDataReason).toBeNull();
    expect(figures.treatment).toEqual({ orgs: 2_000, conversions: 260, conversionRate: 0.13, realisedMrr: 3_900 });
    expect(figures.control).toEqual({ orgs: 2_000, conversions: 200, conversionRate: 0.1, realisedMrr: 3_000 });
    expect(figures.lift).toEqual(lift);
    expect(figures.incrementalConversions!.estimate).toBeCloseTo(60, 9);
    expect(figures.incrementalConversions!.low).toBeCloseTo(lift.low * 2_000, 9);
    expect(figures.incrementalConversions!.high).toBeCloseTo(lift.high * 2_000, 9);
    // 15 MRR per conversion: 60 extra conversions are 900 MRR.
    expect(figures.incrementalMrr!.estimate).toBeCloseTo(900, 9);
    expect(figures.incrementalMrr!.low).toBeLessThan(900);
    expect(figures.incrementalMrr!.high).toBeGreaterThan(900);
    expect(figures.creditsSpent).toBe(400);
    expect(figures.incrementalMrrPerCredit).toBeCloseTo(900 / 400, 9);
    expect(figures.minimumDetectableEffect).toBe(minimumDetectableEffect(0.1, 2_000, 2_000));
  });

  it('has no MRR per credit when no credits were spent', () => {
    expect(upliftOf(arm(500, 60), arm(500, 50)).incrementalMrrPerCredit).toBeNull();
  });

  it(`says "not enough data" below ${MINIMUM_SAMPLE_PER_ARM} orgs in either arm, with no figures`, () => {
    const figures = upliftOf(arm(1_000, 100, { creditsSpent: 50 }), arm(MINIMUM_SAMPLE_PER_ARM - 1, 10));
    expect(figures).toMatchObject({
      enoughData: false,
      notEnoughDataReason: `not enough data: ${MINIMUM_SAMPLE_PER_ARM - 1} control orgs observed, at least ${MINIMUM_SAMPLE_PER_ARM} per arm needed`,
      lift: null,
      incrementalConversions: null,
      incrementalMrr: null,
      incrementalMrrPerCredit: null,
      minimumDetectableEffect: null,
      creditsSpent: 50,
    });
    expect(figures.treatment.conversionRate).toBe(0.1);
  });

  it('names both arms when both are short, and gives no rate for an empty arm', () => {
    const figures = upliftOf(arm(0, 0), arm(34, 3));
    expect(figures.notEnoughDataReason).toBe(
      `not enough data: 0 treatment orgs and 34 control orgs observed, at least ${MINIMUM_SAMPLE_PER_ARM} per arm needed`,
    );
    expect(figures.treatment.conversionRate).toBeNull();
  });

  it(`reports figures at exactly ${MINIMUM_SAMPLE_PER_ARM} orgs per arm, including a control arm with no conversions`, () => {
    const figures = upliftOf(arm(MINIMUM_SAMPLE_PER_ARM, 5), arm(MINIMUM_SAMPLE_PER_ARM, 0));
    expect(figures.enoughData).toBe(true);
    expect(figures.lift!.low).toBeLessThan(figures.lift!.estimate);
    expect(figures.minimumDetectableEffect).toBe(minimumDetectableEffect(0.5 / MINIMUM_SAMPLE_PER_ARM, 100, 100));
  });

  it('refuses malformed aggregates with a RangeError naming the field', () => {
    expect(() => upliftOf(arm(100, 101), arm(100, 1))).toThrow(
      new RangeError('treatment.conversions (101) must not exceed treatment.orgs (100)'),
    );
    expect(() => upliftOf(arm(100, 1), arm(-1, 0))).toThrow(/^control.orgs must be a non-negative integer/);
    expect(() => upliftOf(arm(100, 1, { creditsSpent: -2 }), arm(100, 1))).toThrow(/^treatment.creditsSpent must not be negative/);
    expect(() => upliftOf(arm(100, 1), arm(100, 1, { mrrSum: Number.NaN }))).toThrow(/^control.mrrSum must be a finite number/);
  });
});

describe('METHOD', () => {
  it('names the interval and states the fixed-horizon caveat and the thresholds the figures use', () => {
    expect(METHOD.lift).toMatch(/Newcombe/);
    expect(METHOD.horizon).toMatch(/fixed horizon/);
    expect(METHOD).toMatchObject({ confidence: 0.95, power: 0.8, minimumSamplePerArm: MINIMUM_SAMPLE_PER_ARM });
    expect(MINIMUM_SAMPLE_PER_ARM).toBeLessThanOrEqual(200);
  });
});

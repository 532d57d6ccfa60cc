import { describe, expect, it } from '@jest/globals';
import { minimumDetectableEffect, newcombeDifferenceInterval } from './uplift-statistics.js';

/**
 * Statistical honesty by simulation (issue 14): seeded, so every run draws the same experiments.
 * Each simulated experiment draws the two arms' conversions from exact binomials and computes the
 * report's 95 % interval for the lift, exactly as the report does.
 */

/** xoshiro128** (Blackman & Vigna), seeded through splitmix32 so any 32-bit seed gives a good state. */
function seededUniform(seed: number): () => number {
  let mix = seed >>> 0;
  const splitmix32 = (): number => {
    mix = (mix + 0x9e3779b9) >>> 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const s = [splitmix32(), splitmix32(), splitmix32(), splitmix32()];
  const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));
  const next32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  };
  // 53 random bits, offset by half a step so the value is strictly inside (0, 1) and log() is finite.
  return () => ((next32() >>> 5) * 67_108_864 + (next32() >>> 6) + 0.5) / 9_007_199_254_740_992;
}

/** ln(k!): exact sums of logs below 256, Stirling's series above (error below 1e-15 there). */
const LOG_FACTORIAL_TABLE = Array.from({ length: 256 }, (_, k) => k).reduce<number[]>(
  (table, k) => [...table, k === 0 ? 0 : table[k - 1]! + Math.log(k)],
  [],
);
function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL_TABLE.length) return LOG_FACTORIAL_TABLE[k]!;
  const inverse = 1 / k;
  const inverse2 = inverse * inverse;
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + inverse * (1 / 12 - inverse2 * (1 / 360 - inverse2 / 1260));
}

/**
 * An exact Binomial(n, p) sampler by inversion: one uniform is spent down the outcomes in the order
 * m, m - 1, m + 1, m - 2, m + 2, ... (m the mode), each taking its exact probability, computed by the
 * pmf's ratio recurrence from P(X = m). Any fixed order of the outcomes gives an exact draw; starting
 * at the mode makes the search O(sqrt(n p (1 - p))) steps instead of O(n p) for waiting times.
 */
function binomialSampler(uniform: () => number, n: number, p: number): () => number {
  if (p <= 0) return () => 0;
  if (p >= 1) return () => n;
  const q = 1 - p;
  const mode = Math.floor((n + 1) * p);
  const atMode = Math.exp(logFactorial(n) - logFactorial(mode) - logFactorial(n - mode) + mode * Math.log(p) + (n - mode) * Math.log(q));
  const odds = p / q;
  return () => {
    let u = uniform() - atMode;
    if (u <= 0) return mode;
    let down = mode;
    let up = mode;
    let pDown = atMode;
    let pUp = atMode;
    while (down > 0 || up < n) {
      if (down > 0) {
        pDown *= down / ((n - down + 1) * odds); // P(X = k - 1) / P(X = k) = k q / ((n - k + 1) p)
        down -= 1;
        u -= pDown;
        if (u <= 0) return down;
      }
      if (up < n) {
        up += 1;
        pUp *= ((n - up + 1) * odds) / up; // P(X = k) / P(X = k - 1) = (n - k + 1) p / (k q)
        u -= pUp;
        if (u <= 0) return up;
      }
    }
    return mode; // only when rounding left the probabilities summing a hair below u (about 1e-15)
  };
}

interface Scenario {
  readonly orgsPerArm: number;
  readonly baseRate: number;
  readonly trueLift: number;
}

interface Tally {
  /** Share of experiments whose interval contains the true lift. */
  readonly coverage: number;
  /** Share whose interval lies entirely above 0 (a detected positive lift). */
  readonly excludesZeroAbove: number;
  /** Share whose interval excludes 0 on either side. */
  readonly excludesZero: number;
}

/**
 * Per scenario. The issue asks for at least 2,000; the mode-started sampler is cheap enough for 10,000,
 * which brings the Monte Carlo standard error of a 95 % coverage down to 0.22 point (0.4 at 80 % power).
 */
const EXPERIMENTS = 10_000;

function simulate(scenario: Scenario, seed: number): Tally {
  const uniform = seededUniform(seed);
  const { orgsPerArm: n, baseRate, trueLift } = scenario;
  const drawControl = binomialSampler(uniform, n, baseRate);
  const drawTreatment = binomialSampler(uniform, n, baseRate + trueLift);
  let covered = 0;
  let above = 0;
  let below = 0;
  for (let i = 0; i < EXPERIMENTS; i += 1) {
    const control = drawControl();
    const treatment = drawTreatment();
    const { low, high } = newcombeDifferenceInterval(treatment, n, control, n);
    if (low <= trueLift && trueLift <= high) covered += 1;
    if (low > 0) above += 1;
    if (high < 0) below += 1;
  }
  return { coverage: covered / EXPERIMENTS, excludesZeroAbove: above / EXPERIMENTS, excludesZero: (above + below) / EXPERIMENTS };
}

const ORGS_PER_ARM = [200, 2_000, 20_000] as const;
const BASE_RATES = [0.02, 0.1, 0.3] as const;
const TRUE_LIFTS = [0, 0.02] as const;

/** A distinct, fixed seed per scenario, so scenarios do not share draws and a reorder changes nothing. */
function seedOf(scenario: Scenario, salt: number): number {
  return (
    (scenario.orgsPerArm * 1_000 + Math.round(scenario.baseRate * 100) * 10 + Math.round(scenario.trueLift * 100) + salt * 7_919) >>> 0
  );
}

const grid: Scenario[] = ORGS_PER_ARM.flatMap((orgsPerArm) =>
  BASE_RATES.flatMap((baseRate) => TRUE_LIFTS.map((trueLift) => ({ orgsPerArm, baseRate, trueLift }))),
);

describe('the lift interval on the issue-14 grid (seeded, 10,000 experiments per scenario)', () => {
  it.each(grid)('orgs per arm $orgsPerArm, base rate $baseRate, true lift $trueLift: covers the true lift in 93.5-98.5 %', (scenario) => {
    const tally = simulate(scenario, seedOf(scenario, 1));
    expect(tally.coverage).toBeGreaterThanOrEqual(0.935);
    expect(tally.coverage).toBeLessThanOrEqual(0.985);
    // With no true lift, excluding zero is a false positive: at most 6.5 % (the nominal is 5 %).
    if (scenario.trueLift === 0) expect(tally.excludesZero).toBeLessThanOrEqual(0.065);
  });
});

/**
 * The reported MDE against the simulated 80 %-power effect. At a true lift equal to the MDE reported
 * for that sample size and base rate, the share of experiments whose interval lies above 0 must be
 * within [0.75, 0.85], i.e. 80 % +- 5 points. Why that tolerance: the MDE comes from a
 * normal-approximation power formula, while detection is judged by the Newcombe interval, and the
 * two part where conversions are few (200 orgs at 2 %: 4 expected in control), where counts are
 * discrete; measured (docs/EFFECT-STATISTICS.md), the largest gap on this grid is 2.2 points (200 orgs
 * at 2 %: 82.2 %), the others within 0.8. Monte Carlo error adds 0.4 point (one standard error). The
 * band leaves room for that small-sample gap at other base rates while still catching a wrong formula:
 * at half the MDE the power is 29-35 %, which the second assertion checks stays far below the band.
 */
const POWER_TOLERANCE = { low: 0.75, high: 0.85 } as const;

const powerGrid = ORGS_PER_ARM.flatMap((orgsPerArm) => BASE_RATES.map((baseRate) => ({ orgsPerArm, baseRate })));

describe('the minimum detectable effect agrees with the simulated 80 %-power effect', () => {
  it.each(powerGrid)(
    'orgs per arm $orgsPerArm, base rate $baseRate: at the reported MDE 75-85 % of intervals exclude 0, at half of it under 40 %',
    (cell) => {
      const mde = minimumDetectableEffect(cell.baseRate, cell.orgsPerArm, cell.orgsPerArm);
      const scenario = { ...cell, trueLift: mde };
      const tally = simulate(scenario, seedOf({ ...cell, trueLift: 0 }, 2));
      expect(tally.excludesZeroAbove).toBeGreaterThanOrEqual(POWER_TOLERANCE.low);
      expect(tally.excludesZeroAbove).toBeLessThanOrEqual(POWER_TOLERANCE.high);
      const halfMde = simulate({ ...cell, trueLift: mde / 2 }, seedOf({ ...cell, trueLift: 0 }, 3));
      expect(halfMde.excludesZeroAbove).toBeLessThan(0.4);
    },
  );
});

describe('the simulation machinery', () => {
  it('is reproducible: the same seed draws the same experiments', () => {
    const scenario = { orgsPerArm: 200, baseRate: 0.1, trueLift: 0.02 };
    expect(simulate(scenario, 42)).toEqual(simulate(scenario, 42));
  });

  it.each([
    { n: 50, p: 0.3 },
    { n: 200, p: 0.02 },
    { n: 20_000, p: 0.32 },
  ])('draws Binomial($n, $p) with its mean, variance and P(X = 0) (100,000 draws)', ({ n, p }) => {
    const draw = binomialSampler(seededUniform(7), n, p);
    const draws = Array.from({ length: 100_000 }, draw);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
    const expectedVariance = n * p * (1 - p);
    // 5 standard errors: of the mean sqrt(npq / N); of the variance about npq * sqrt(2 / N).
    expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt(expectedVariance / draws.length));
    expect(Math.abs(variance - expectedVariance)).toBeLessThan(5 * expectedVariance * Math.sqrt(2 / draws.length));
    const zeroShare = draws.filter((x) => x === 0).length / draws.length;
    const zeroProbability = (1 - p) ** n;
    expect(Math.abs(zeroShare - zeroProbability)).toBeLessThan(
      5 * Math.sqrt((zeroProbability * (1 - zeroProbability)) / draws.length) + 1e-9,
    );
    expect(draws.every((x) => Number.isInteger(x) && x >= 0 && x <= n)).toBe(true);
  });

  it('draws the binomial edge cases exactly: p = 0 gives 0, p = 1 gives n', () => {
    const uniform = seededUniform(3);
    expect(binomialSampler(uniform, 1_000, 0)()).toBe(0);
    expect(binomialSampler(uniform, 1_000, 1)()).toBe(1_000);
  });
});

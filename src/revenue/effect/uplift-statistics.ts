/**
 * The statistics of the uplift report: pure functions of per-arm aggregates, no I/O.
 * Methods and their assumptions are described in docs/EFFECT-STATISTICS.md.
 */

export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

export interface MeanInput {
  readonly n: number;
  readonly sum: number;
  readonly sumOfSquares: number;
}

export interface ArmAggregate {
  readonly orgs: number;
  readonly conversions: number;
  readonly mrrSum: number;
  readonly mrrSumOfSquares: number;
  readonly creditsSpent: number;
}

export interface ArmFigures {
  readonly orgs: number;
  readonly conversions: number;
  readonly conversionRate: number | null;
  readonly realisedMrr: number;
}

export interface UpliftFigures {
  readonly treatment: ArmFigures;
  readonly control: ArmFigures;
  readonly enoughData: boolean;
  /** Set when enoughData is false, e.g. "not enough data: 34 control orgs observed, at least 100 per arm needed". */
  readonly notEnoughDataReason: string | null;
  /** Absolute, in proportion units (0.02 = 2 points). */
  readonly lift: Interval | null;
  /** lift x treatment orgs. */
  readonly incrementalConversions: Interval | null;
  /** (mean MRR_t - mean MRR_c) x treatment orgs. */
  readonly incrementalMrr: Interval | null;
  /** The treatment arm's credits charged. */
  readonly creditsSpent: number;
  /** incrementalMrr.estimate / creditsSpent (null if 0 credits or not enough data). */
  readonly incrementalMrrPerCredit: number | null;
  /** Null when there is not enough data, or when no lift up to 100 % reaches the power. */
  readonly minimumDetectableEffect: number | null;
}

/**
 * 100 per arm: below it a 95 % interval for a difference of proportions is wider than the effects a
 * play can plausibly have (the MDE at a 10 % base rate is 15 points), and the normal
 * approximation behind the MRR interval and the MDE has too few orgs to lean on. The simulation's
 * smallest scenario (200 per arm) is above it and shows the coverage there.
 */
export const MINIMUM_SAMPLE_PER_ARM = 100;

const CONFIDENCE = 0.95;
const POWER = 0.8;

export const METHOD = {
  lift: "Newcombe's hybrid score interval (Newcombe 1998, method 10) for the difference of two proportions, from Wilson score intervals",
  incrementalMrr:
    'Welch normal-approximation interval for the difference of mean realised MRR per org, times treatment orgs (treatment count treated as fixed)',
  minimumDetectableEffect:
    'smallest absolute lift with 80 % power at two-sided alpha 0.05 (normal approximation, pooled variance under the null, unpooled under the alternative); a control rate of 0 or 1 is replaced by 0.5 / n',
  horizon:
    'fixed horizon: the interval holds for one look at a pre-set window; looking daily and stopping on a good day inflates false positives (no sequential method is used)',
  minimumSamplePerArm: MINIMUM_SAMPLE_PER_ARM,
  confidence: CONFIDENCE,
  power: POWER,
} as const;

// ---------------------------------------------------------------------------------------------
// Argument checks: RangeError naming the argument.

function requireCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

function requireSuccesses(successesName: string, successes: number, trialsName: string, trials: number): void {
  requireCount(trialsName, trials);
  requireCount(successesName, successes);
  if (trials === 0) throw new RangeError(`${trialsName} must be at least 1, got 0`);
  if (successes > trials) throw new RangeError(`${successesName} (${successes}) must not exceed ${trialsName} (${trials})`);
}

function requireProbability(name: string, value: number): void {
  if (!(value > 0 && value < 1)) throw new RangeError(`${name} must be strictly between 0 and 1, got ${value}`);
}

function requireFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`);
}

// ---------------------------------------------------------------------------------------------
// The standard normal distribution.

/** erfc(x), Chebyshev fit (Numerical Recipes' erfcc): fractional error below 1.2e-7 everywhere. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const value = t * Math.exp(poly);
  return x >= 0 ? value : 2 - value;
}

/** P(Z <= z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

const quantileCache = new Map<number, number>();

/** The z with P(Z <= z) = p, by bisection on normalCdf (accurate to about 1e-6, ample for intervals). */
export function normalQuantile(p: number): number {
  requireProbability('p', p);
  const cached = quantileCache.get(p);
  if (cached !== undefined) return cached;
  let low = -40;
  let high = 40;
  for (let i = 0; i < 100; i += 1) {
    const mid = (low + high) / 2;
    if (normalCdf(mid) < p) low = mid;
    else high = mid;
  }
  const z = (low + high) / 2;
  quantileCache.set(p, z);
  return z;
}

function twoSidedZ(confidence: number): number {
  requireProbability('confidence', confidence);
  return normalQuantile(1 - (1 - confidence) / 2);
}

// ---------------------------------------------------------------------------------------------
// Proportions.

/** Wilson score interval for one proportion x/n (Wilson 1927). */
export function wilsonInterval(successes: number, trials: number, z: number = twoSidedZ(CONFIDENCE)): Interval {
  requireSuccesses('successes', successes, 'trials', trials);
  if (!(z > 0) || !Number.isFinite(z)) throw new RangeError(`z must be a positive finite number, got ${z}`);
  const p = successes / trials;
  const z2 = z * z;
  const denominator = trials + z2;
  const centre = (successes + z2 / 2) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((successes * (trials - successes)) / trials + z2 / 4);
  // At x = 0 (x = n) the lower (upper) limit is exactly 0 (1); clamp the rounding noise.
  return { estimate: p, low: successes === 0 ? 0 : centre - halfWidth, high: successes === trials ? 1 : centre + halfWidth };
}

/**
 * Newcombe's hybrid score interval (1998, method 10) for p1 - p2, p1 = x1/n1 (treatment), p2 = x2/n2
 * (control): each arm's Wilson limits, combined as a square-and-add of the distances to the estimate.
 */
export function newcombeDifferenceInterval(x1: number, n1: number, x2: number, n2: number, confidence: number = CONFIDENCE): Interval {
  requireSuccesses('x1', x1, 'n1', n1);
  requireSuccesses('x2', x2, 'n2', n2);
  const z = twoSidedZ(confidence);
  const one = wilsonInterval(x1, n1, z);
  const two = wilsonInterval(x2, n2, z);
  const difference = one.estimate - two.estimate;
  const low = difference - Math.sqrt((one.estimate - one.low) ** 2 + (two.high - two.estimate) ** 2);
  const high = difference + Math.sqrt((one.high - one.estimate) ** 2 + (two.estimate - two.low) ** 2);
  return { estimate: difference, low: Math.max(-1, low), high: Math.min(1, high) };
}

/**
 * Smallest absolute lift d = p_t - p_c > 0 detectable with `power` by a two-sided test at `alpha`:
 * the root of d = z_(1-alpha/2) * sd0(d) + z_power * sd1(d), where sd0 uses the pooled rate (the null)
 * and sd1 the two arms' own rates (the alternative). A control rate of 0 or 1 carries no variance, so
 * it is replaced by 0.5 / nControl (or 1 - 0.5 / nControl), the usual continuity correction.
 * Returns Infinity when even p_t = 1 does not reach the power.
 */
export function minimumDetectableEffect(
  controlRate: number,
  nTreatment: number,
  nControl: number,
  options: { alpha?: number; power?: number } = {},
): number {
  requireFinite('controlRate', controlRate);
  if (controlRate < 0 || controlRate > 1) throw new RangeError(`controlRate must be within [0, 1], got ${controlRate}`);
  requireCount('nTreatment', nTreatment);
  requireCount('nControl', nControl);
  if (nTreatment === 0) throw new RangeError('nTreatment must be at least 1, got 0');
  if (nControl === 0) throw new RangeError('nControl must be at least 1, got 0');
  const alpha = options.alpha ?? 1 - CONFIDENCE;
  const power = options.power ?? POWER;
  requireProbability('alpha', alpha);
  requireProbability('power', power);

  const pc = Math.min(Math.max(controlRate, 0.5 / nControl), 1 - 0.5 / nControl);
  const zAlpha = normalQuantile(1 - alpha / 2);
  const zPower = normalQuantile(power);
  const shortfall = (d: number): number => {
    const pt = pc + d;
    const pooled = (nTreatment * pt + nControl * pc) / (nTreatment + nControl);
    const sdNull = Math.sqrt(pooled * (1 - pooled) * (1 / nTreatment + 1 / nControl));
    const sdAlternative = Math.sqrt((pt * (1 - pt)) / nTreatment + (pc * (1 - pc)) / nControl);
    return d - zAlpha * sdNull - zPower * sdAlternative;
  };
  let low = 0;
  let high = 1 - pc;
  if (shortfall(high) < 0) return Number.POSITIVE_INFINITY;
  for (let i = 0; i < 80; i += 1) {
    const mid = (low + high) / 2;
    if (shortfall(mid) < 0) low = mid;
    else high = mid;
  }
  return high;
}

// ---------------------------------------------------------------------------------------------
// Means.

function meanAndVariance(name: string, input: MeanInput): { mean: number; variance: number } {
  requireCount(`${name}.n`, input.n);
  if (input.n < 2) throw new RangeError(`${name}.n must be at least 2 for a variance, got ${input.n}`);
  requireFinite(`${name}.sum`, input.sum);
  requireFinite(`${name}.sumOfSquares`, input.sumOfSquares);
  if (input.sumOfSquares < 0) throw new RangeError(`${name}.sumOfSquares must not be negative, got ${input.sumOfSquares}`);
  const mean = input.sum / input.n;
  // Rounding can push the sum of squared deviations a hair below 0 when all values are equal.
  const variance = Math.max(0, (input.sumOfSquares - input.n * mean * mean) / (input.n - 1));
  return { mean, variance };
}

/** Welch / normal-approximation interval for mean_t - mean_c from sums and sums of squares. */
export function differenceOfMeansInterval(t: MeanInput, c: MeanInput, confidence: number = CONFIDENCE): Interval {
  const treatment = meanAndVariance('t', t);
  const control = meanAndVariance('c', c);
  const z = twoSidedZ(confidence);
  const difference = treatment.mean - control.mean;
  const halfWidth = z * Math.sqrt(treatment.variance / t.n + control.variance / c.n);
  return { estimate: difference, low: difference - halfWidth, high: difference + halfWidth };
}

// ---------------------------------------------------------------------------------------------
// The report for one play (or overall).

function checkArm(name: string, arm: ArmAggregate): void {
  requireCount(`${name}.orgs`, arm.orgs);
  requireCount(`${name}.conversions`, arm.conversions);
  if (arm.conversions > arm.orgs)
    throw new RangeError(`${name}.conversions (${arm.conversions}) must not exceed ${name}.orgs (${arm.orgs})`);
  requireFinite(`${name}.mrrSum`, arm.mrrSum);
  requireFinite(`${name}.mrrSumOfSquares`, arm.mrrSumOfSquares);
  requireFinite(`${name}.creditsSpent`, arm.creditsSpent);
  if (arm.creditsSpent < 0) throw new RangeError(`${name}.creditsSpent must not be negative, got ${arm.creditsSpent}`);
}

function armFigures(arm: ArmAggregate): ArmFigures {
  return {
    orgs: arm.orgs,
    conversions: arm.conversions,
    conversionRate: arm.orgs === 0 ? null : arm.conversions / arm.orgs,
    realisedMrr: arm.mrrSum,
  };
}

function notEnoughDataReason(treatment: ArmAggregate, control: ArmAggregate): string | null {
  const short = [
    ...(treatment.orgs < MINIMUM_SAMPLE_PER_ARM ? [`${treatment.orgs} treatment orgs`] : []),
    ...(control.orgs < MINIMUM_SAMPLE_PER_ARM ? [`${control.orgs} control orgs`] : []),
  ];
  if (short.length === 0) return null;
  return `not enough data: ${short.join(' and ')} observed, at least ${MINIMUM_SAMPLE_PER_ARM} per arm needed`;
}

function scaled(interval: Interval, factor: number): Interval {
  return { estimate: interval.estimate * factor, low: interval.low * factor, high: interval.high * factor };
}

/** Everything the report shows for one play (or overall), from per-arm aggregates. */
export function upliftOf(treatment: ArmAggregate, control: ArmAggregate): UpliftFigures {
  checkArm('treatment', treatment);
  checkArm('control', control);
  const base = {
    treatment: armFigures(treatment),
    control: armFigures(control),
    creditsSpent: treatment.creditsSpent,
  };
  const reason = notEnoughDataReason(treatment, control);
  if (reason !== null) {
    return {
      ...base,
      enoughData: false,
      notEnoughDataReason: reason,
      lift: null,
      incrementalConversions: null,
      incrementalMrr: null,
      incrementalMrrPerCredit: null,
      minimumDetectableEffect: null,
    };
  }
  const lift = newcombeDifferenceInterval(treatment.conversions, treatment.orgs, control.conversions, control.orgs);
  const mrrPerOrg = differenceOfMeansInterval(
    { n: treatment.orgs, sum: treatment.mrrSum, sumOfSquares: treatment.mrrSumOfSquares },
    { n: control.orgs, sum: control.mrrSum, sumOfSquares: control.mrrSumOfSquares },
  );
  const incrementalMrr = scaled(mrrPerOrg, treatment.orgs);
  const mde = minimumDetectableEffect(control.conversions / control.orgs, treatment.orgs, control.orgs);
  return {
    ...base,
    enoughData: true,
    notEnoughDataReason: null,
    lift,
    incrementalConversions: scaled(lift, treatment.orgs),
    incrementalMrr,
    incrementalMrrPerCredit: treatment.creditsSpent === 0 ? null : incrementalMrr.estimate / treatment.creditsSpent,
    minimumDetectableEffect: Number.isFinite(mde) ? mde : null,
  };
}

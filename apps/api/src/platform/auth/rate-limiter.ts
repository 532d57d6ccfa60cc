export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the current window ends. */
  readonly resetSeconds: number;
}

/**
 * Fixed windows aligned on the clock, one counter per caller key. All keys share the window,
 * so rolling over simply drops the map: memory stays bounded by the callers of one window.
 * (A burst of up to 2x the limit across a window boundary is accepted for that simplicity.)
 * In-memory, per instance: behind N instances the effective limit is N x RATE_LIMIT.
 */
export class FixedWindowRateLimiter {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit must be a positive integer, got ${limit}`);
  }

  hit(key: string): RateDecision {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * this.windowMs - now) / 1000));
    return { allowed: count <= this.limit, limit: this.limit, remaining: Math.max(0, this.limit - count), resetSeconds };
  }
}

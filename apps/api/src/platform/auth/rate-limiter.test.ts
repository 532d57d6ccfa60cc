import { describe, expect, it } from '@jest/globals';
import { FixedWindowRateLimiter } from './rate-limiter.js';

describe('FixedWindowRateLimiter', () => {
  it('admits `limit` hits per key and window, then refuses with the seconds to wait', () => {
    let now = 60_000 * 10 + 15_000; // 15 s into a window
    const limiter = new FixedWindowRateLimiter(3, 60_000, () => now);
    expect([1, 2, 3].map(() => limiter.hit('user:a').allowed)).toEqual([true, true, true]);
    const refused = limiter.hit('user:a');
    expect(refused).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 45 });
    expect(limiter.hit('user:b')).toMatchObject({ allowed: true, remaining: 2 }); // keys are independent
    now += 45_000; // next window
    expect(limiter.hit('user:a')).toMatchObject({ allowed: true, remaining: 2, resetSeconds: 60 });
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new FixedWindowRateLimiter(0)).toThrow(RangeError);
    expect(() => new FixedWindowRateLimiter(1.5)).toThrow(RangeError);
  });
});

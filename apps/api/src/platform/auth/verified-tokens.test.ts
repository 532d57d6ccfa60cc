import { describe, expect, it } from '@jest/globals';
import { VerifiedTokens } from './access.guard.js';
import type { Principal } from './principal.js';

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const tokenWith = (payload: Record<string, unknown>) => `${segment({ alg: 'HS256', typ: 'JWT' })}.${segment(payload)}.signature`;
const principal: Principal = { kind: 'service', id: 'maos', scopes: new Set(['maos:read']) };

describe('VerifiedTokens', () => {
  it('answers for an accepted token until its exp, then forgets it', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokens(10, () => now);
    const token = tokenWith({ sub: 'maos', exp: 1_010 });
    expect(cache.remember(token, principal)).toBe(principal);
    now = 1_009_999;
    expect(cache.get(token)).toBe(principal);
    now = 1_010_000; // exp <= now: expired, as the verifier judges it
    expect(cache.get(token)).toBeUndefined();
    now = 1_000_000;
    expect(cache.get(token)).toBeUndefined();
  });

  it('answers only for the exact text it was given', () => {
    const cache = new VerifiedTokens(10, () => 0);
    const token = tokenWith({ sub: 'maos', exp: 100 });
    cache.remember(token, principal);
    expect(cache.get(`${token}x`)).toBeUndefined();
    expect(cache.get(token.replace('signature', 'signaturf'))).toBeUndefined();
  });

  it('keeps nothing without a readable exp, or with no capacity', () => {
    const without = new VerifiedTokens(10, () => 0);
    without.remember(tokenWith({ sub: 'maos' }), principal);
    without.remember('not-a-jwt', principal);
    expect([without.get(tokenWith({ sub: 'maos' })), without.get('not-a-jwt')]).toEqual([undefined, undefined]);
    const off = new VerifiedTokens(0, () => 0);
    const token = tokenWith({ sub: 'maos', exp: 100 });
    off.remember(token, principal);
    expect(off.get(token)).toBeUndefined();
  });
});

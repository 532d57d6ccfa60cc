import { describe, expect, it } from '@jest/globals';
import { ProblemException } from '../errors/problem.js';
import { parseCommandHeaders } from './command-headers.js';

const slug = (result: unknown) => (result instanceof ProblemException ? result.slug : 'ok');

describe('parseCommandHeaders', () => {
  it('requires an Idempotency-Key of 8-128 safe characters', () => {
    expect(slug(parseCommandHeaders(undefined, undefined))).toBe('idempotency-key-required');
    expect(slug(parseCommandHeaders('   ', undefined))).toBe('idempotency-key-required');
    expect(slug(parseCommandHeaders('short', undefined))).toBe('invalid-idempotency-key');
    expect(slug(parseCommandHeaders('x'.repeat(129), undefined))).toBe('invalid-idempotency-key');
    expect(slug(parseCommandHeaders('key with spaces', undefined))).toBe('invalid-idempotency-key');
    expect(parseCommandHeaders(' 6f1c7c55-8a6c-4b43-9d0e-0a4b0f6a8c11 ', undefined)).toEqual({
      idempotencyKey: '6f1c7c55-8a6c-4b43-9d0e-0a4b0f6a8c11',
    });
  });

  it('reads If-Match as the quoted ETag, a weak one or a bare number', () => {
    for (const header of ['"12"', 'W/"12"', '12', ' "12" ']) {
      expect(parseCommandHeaders('key-00000001', header)).toEqual({ idempotencyKey: 'key-00000001', expectedRevision: 12n });
    }
  });

  it('refuses If-Match values that are not one revision', () => {
    for (const header of ['', '*', '"-1"', '"1.5"', '"1", "2"', 'abc', '"9223372036854775808"', '1'.repeat(20)]) {
      expect({ header, slug: slug(parseCommandHeaders('key-00000001', header)) }).toEqual({ header, slug: 'invalid-if-match' });
    }
  });
});

import { describe, expect, it } from '@jest/globals';
import { ProblemException } from '../errors/problem.js';
import { expectedRevisionFrom, idempotencyKeyFrom, revisionETag } from './command-headers.js';

const problemOf = (fn: () => unknown): ProblemException => {
  try {
    fn();
  } catch (error) {
    return error as ProblemException;
  }
  throw new Error('expected a problem');
};

/** The MAOS command routes: a required key, and If-Match as a revision (`*` refused). */
function parseCommandHeaders(key: string | undefined, ifMatch: string | undefined): unknown {
  try {
    const idempotencyKey = idempotencyKeyFrom(key, true);
    const expectedRevision = expectedRevisionFrom(ifMatch, 'refused');
    return { idempotencyKey, ...(expectedRevision === undefined ? {} : { expectedRevision }) };
  } catch (error) {
    return error;
  }
}

const slug = (result: unknown) => (result instanceof ProblemException ? result.slug : 'ok');

describe('command headers on MAOS routes', () => {
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

describe('command headers on analyze (optional key, If-Match * = no check)', () => {
  it('reads If-Match as a revision: our ETag, a bare number, a weak tag; * and absence mean no check', () => {
    expect(expectedRevisionFrom(revisionETag('12'), 'no-check')).toBe(12n);
    expect(expectedRevisionFrom(' 0 ', 'no-check')).toBe(0n);
    expect(expectedRevisionFrom('W/"7"', 'no-check')).toBe(7n);
    expect(expectedRevisionFrom('*', 'no-check')).toBeUndefined();
    expect(expectedRevisionFrom(undefined, 'no-check')).toBeUndefined();
  });

  it.each(['"1", "2"', '-1', 'abc', '"1.5"', '9223372036854775808', '"', ''])('refuses If-Match %p with 400 invalid-if-match', (value) => {
    const problem = problemOf(() => expectedRevisionFrom(value, 'no-check'));
    expect(problem).toBeInstanceOf(ProblemException);
    expect([problem.problemStatus, problem.slug]).toEqual([400, 'invalid-if-match']);
  });

  it('accepts keys like the MAOS API (8-128 token characters) and refuses the rest', () => {
    expect(idempotencyKeyFrom(' 0b8f5c3e-1111-4aaa-8bbb-0123456789ab ', false)).toBe('0b8f5c3e-1111-4aaa-8bbb-0123456789ab');
    expect(idempotencyKeyFrom(undefined, false)).toBeUndefined();
    for (const bad of ['', 'short', 'with space inside', 'x'.repeat(129), 'ééééééééé']) {
      expect([bad, problemOf(() => idempotencyKeyFrom(bad, false)).slug]).toEqual([bad, 'invalid-idempotency-key']);
    }
  });
});

import { describe, expect, it } from '@jest/globals';
import { ProblemException } from '../../errors/problem.js';
import { etagOf, expectedRevisionFrom, idempotencyKeyFrom } from './command-headers.js';

const problemOf = (fn: () => unknown): ProblemException => {
  try {
    fn();
  } catch (error) {
    return error as ProblemException;
  }
  throw new Error('expected a problem');
};

describe('analyze command headers', () => {
  it('reads If-Match as a revision: our ETag, a bare number, a weak tag; * and absence mean no check', () => {
    expect(expectedRevisionFrom(etagOf('12'))).toBe(12n);
    expect(expectedRevisionFrom(' 0 ')).toBe(0n);
    expect(expectedRevisionFrom('W/"7"')).toBe(7n);
    expect(expectedRevisionFrom('*')).toBeUndefined();
    expect(expectedRevisionFrom(undefined)).toBeUndefined();
  });

  it.each(['"1", "2"', '-1', 'abc', '"1.5"', '9223372036854775808', '"', ''])('refuses If-Match %p with 400 invalid-if-match', (value) => {
    const problem = problemOf(() => expectedRevisionFrom(value));
    expect(problem).toBeInstanceOf(ProblemException);
    expect([problem.problemStatus, problem.slug]).toEqual([400, 'invalid-if-match']);
  });

  it('accepts keys like the MAOS API (8-128 token characters) and refuses the rest', () => {
    expect(idempotencyKeyFrom(' 0b8f5c3e-1111-4aaa-8bbb-0123456789ab ')).toBe('0b8f5c3e-1111-4aaa-8bbb-0123456789ab');
    expect(idempotencyKeyFrom(undefined)).toBeUndefined();
    for (const bad of ['', 'short', 'with space inside', 'x'.repeat(129), 'ééééééééé']) {
      expect([bad, problemOf(() => idempotencyKeyFrom(bad)).slug]).toEqual([bad, 'invalid-idempotency-key']);
    }
  });
});

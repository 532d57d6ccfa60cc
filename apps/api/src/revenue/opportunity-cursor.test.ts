import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ProblemException } from '../platform/errors/problem.js';
import { decodeCursor, encodeCursor } from './opportunity-cursor.js';

const ID = '0b8f5c3e-1111-4aaa-8bbb-0123456789ab';
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function refusal(run: () => unknown): ProblemException {
  try {
    run();
  } catch (e) {
    if (e instanceof ProblemException) return e;
    throw e;
  }
  throw new Error('expected a 400 problem');
}

describe('opportunity cursor', () => {
  it('round-trips (confidence, id) and (created at, id) with its sort', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.uuid(), (confidence, id) => {
        const cursor = { sort: 'confidence' as const, confidence, id };
        expect(decodeCursor(encodeCursor(cursor), 'confidence')).toEqual({ ...cursor, confidence: confidence === 0 ? 0 : confidence });
      }),
    );
    for (const sort of ['newest', 'oldest'] as const) {
      const cursor = { sort, createdAt: '2026-10-31T23:59:59.123456Z', id: ID };
      expect(decodeCursor(encodeCursor(cursor), sort)).toEqual(cursor);
    }
  });

  it('still continues a confidence list from the earlier untagged cursor', () => {
    expect(decodeCursor(encode([0.85, ID]))).toEqual({ sort: 'confidence', confidence: 0.85, id: ID });
    expect(refusal(() => decodeCursor(encode([0.85, ID]), 'newest')).problemStatus).toBe(400);
  });

  it('is url-safe text', () => {
    expect(encodeCursor({ sort: 'confidence', confidence: 0.85, id: ID })).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses a cursor of another sort with a 400 naming the cursor and both sorts', () => {
    const newest = encodeCursor({ sort: 'newest', createdAt: '2026-10-31T23:59:59.123456Z', id: ID });
    const error = refusal(() => decodeCursor(newest, 'oldest'));
    expect(error.problemStatus).toBe(400);
    expect(error.extensions.errors).toEqual([{ pointer: '#/cursor', detail: expect.stringMatching(/sort=newest.*sort=oldest/) }]);
    expect(refusal(() => decodeCursor(encodeCursor({ sort: 'confidence', confidence: 0.5, id: ID }), 'newest')).problemStatus).toBe(400);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not json', Buffer.from('nope').toString('base64url')],
    ['an object', encode({ confidence: 1, id: 'x' })],
    ['a bad id', encode([0.5, 'not-a-uuid'])],
    ['a string confidence', encode(['0.5', ID])],
    ['an unknown sort', encode(['random', 0.5, ID])],
    ['four items', encode(['confidence', 0.5, ID, 1])],
    ['a time with milliseconds only', encode(['newest', '2026-10-31T23:59:59.123Z', ID])],
    ['an impossible date', encode(['newest', '2026-02-30T00:00:00.000000Z', ID])],
    ['a number as time', encode(['oldest', 1234, ID])],
  ])('refuses %s with a 400 naming the cursor', (_, text) => {
    const sort = text.length > 0 && /newest/.test(Buffer.from(text, 'base64url').toString()) ? 'newest' : 'oldest';
    for (const asked of ['confidence', sort] as const) {
      const error = refusal(() => decodeCursor(text, asked));
      expect(error.problemStatus).toBe(400);
      expect(error.extensions.errors).toEqual([{ pointer: '#/cursor', detail: expect.stringContaining('cursor') }]);
    }
  });
});

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ProblemException } from '../platform/errors/problem.js';
import { decodeCursor, encodeCursor } from './opportunity-cursor.js';

describe('opportunity cursor', () => {
  it('round-trips (confidence, id)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.uuid(), (confidence, id) => {
        expect(decodeCursor(encodeCursor({ confidence, id }))).toEqual({ confidence: confidence === 0 ? 0 : confidence, id });
      }),
    );
  });

  it('is url-safe text', () => {
    expect(encodeCursor({ confidence: 0.85, id: '0b8f5c3e-1111-4aaa-8bbb-0123456789ab' })).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not json', Buffer.from('nope').toString('base64url')],
    ['an object', Buffer.from('{"confidence":1,"id":"x"}').toString('base64url')],
    ['a bad id', Buffer.from('[0.5,"not-a-uuid"]').toString('base64url')],
    ['a string confidence', Buffer.from('["0.5","0b8f5c3e-1111-4aaa-8bbb-0123456789ab"]').toString('base64url')],
    ['three items', Buffer.from('[0.5,"0b8f5c3e-1111-4aaa-8bbb-0123456789ab",1]').toString('base64url')],
  ])('refuses %s with a 400 naming the cursor', (_, text) => {
    const error = (() => {
      try {
        decodeCursor(text);
      } catch (e) {
        return e;
      }
      return undefined;
    })() as ProblemException;
    expect(error).toBeInstanceOf(ProblemException);
    expect(error.problemStatus).toBe(400);
    expect(error.extensions.errors).toEqual([{ pointer: '#/cursor', detail: expect.stringContaining('cursor') }]);
  });
});

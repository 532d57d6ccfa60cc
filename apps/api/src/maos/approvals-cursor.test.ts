import { describe, expect, it } from '@jest/globals';
import { ProblemException } from '../platform/errors/problem.js';
import { decodeCursor, encodeCursor } from './approvals-cursor.js';

describe('approvals cursor', () => {
  it('round-trips', () => {
    const cursor = { proposedAt: '2026-10-31T23:59:59.123456Z', actionId: '6f1c7c55-8a6c-4b43-9d0e-0a4b0f6a8c11' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('refuses anything it did not produce, including instants PostgreSQL would reject', () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const id = '6f1c7c55-8a6c-4b43-9d0e-0a4b0f6a8c11';
    const bad = [
      '',
      'not a cursor!',
      'x'.repeat(201),
      encode({ a: 1 }),
      encode(['2026-10-31T23:59:59.123456Z']),
      encode(['2026-02-30T00:00:00.000000Z', id]),
      encode(['2026-10-31T25:00:00.000000Z', id]),
      encode(['0000-01-01T00:00:00.000000Z', id]),
      encode(['2026-10-31T23:59:59.123Z', id]),
      encode(['2026-10-31T23:59:59.123456Z', 'not-a-uuid']),
      encode([1, 2]),
    ];
    for (const text of bad) expect(decodeCursor(text)).toBeInstanceOf(ProblemException);
  });
});

import { describe, expect, it } from '@jest/globals';
import { fingerprint } from './fingerprint.js';

describe('fingerprint', () => {
  const base = { operation: 'POST /api/maos/actions/a/reject', body: { reason: 'no', extra: { b: 1, a: 2 } }, ifMatch: 3n };

  it('ignores key order and undefined members', () => {
    expect(fingerprint({ ...base, body: { extra: { a: 2, b: 1 }, reason: 'no', skipped: undefined } })).toBe(fingerprint(base));
  });

  it('changes with the operation, the body or the precondition', () => {
    const prints = [
      base,
      { ...base, operation: 'POST /api/maos/actions/b/reject' },
      { ...base, body: { reason: 'yes', extra: { b: 1, a: 2 } } },
      { ...base, ifMatch: 4n },
      { ...base, ifMatch: undefined },
    ].map(fingerprint);
    expect(new Set(prints).size).toBe(prints.length);
  });
});

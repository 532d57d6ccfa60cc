import { describe, expect, it } from '@jest/globals';
import { planStatements } from './append-batch.js';

const entry = (streamName: string, count = 1, chars = 0) => ({
  streamName,
  events: Array.from({ length: count }, () => ({}) as never),
  serialized: Array.from({ length: count }, () => ({ eventId: '', type: 't', data: 'x'.repeat(chars), metadata: '{}' })),
});
const events = (maxEvents: number) => ({ maxEvents, maxJson: Infinity });

describe('planStatements', () => {
  it('puts repeated streams into later rounds, keeping their order', () => {
    expect(planStatements([entry('a'), entry('b'), entry('a'), entry('a'), entry('c')], events(100))).toEqual([[0, 1, 4], [2], [3]]);
  });

  it('cuts a round into statements of at most maxEvents events; an oversized append stays whole', () => {
    expect(planStatements([entry('a', 3), entry('b', 3), entry('c', 2), entry('d', 9), entry('e', 1)], events(6))).toEqual([
      [0, 1],
      [2],
      [3],
      [4],
    ]);
  });

  it('also cuts at maxJson characters of data + metadata; an oversized append stays whole', () => {
    // each event: 10 characters of data + 2 of metadata
    const limits = { maxEvents: 100, maxJson: 30 };
    expect(planStatements([entry('a', 2, 10), entry('b', 1, 10), entry('c', 3, 10), entry('d', 1, 10)], limits)).toEqual([
      [0],
      [1],
      [2],
      [3],
    ]);
    expect(planStatements([entry('a', 1, 10), entry('b', 1, 10), entry('c', 1, 10), entry('d', 1, 10)], limits)).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('plans nothing for an empty batch', () => {
    expect(planStatements([], events(10))).toEqual([]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { planStatements } from './append-batch.js';

const entry = (streamName: string, count = 1) => ({ streamName, events: Array.from({ length: count }, () => ({}) as never) });

describe('planStatements', () => {
  it('puts repeated streams into later rounds, keeping their order', () => {
    expect(planStatements([entry('a'), entry('b'), entry('a'), entry('a'), entry('c')], 100)).toEqual([[0, 1, 4], [2], [3]]);
  });

  it('cuts a round into statements of at most maxEvents events; an oversized append stays whole', () => {
    expect(planStatements([entry('a', 3), entry('b', 3), entry('c', 2), entry('d', 9), entry('e', 1)], 6)).toEqual([[0, 1], [2], [3], [4]]);
  });

  it('plans nothing for an empty batch', () => {
    expect(planStatements([], 10)).toEqual([]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { planStatements } from './append-batch.js';

const entry = (streamName: string, count = 1, chars = 0) => ({
  streamName,
  events: Array.from({ length: count }, () => ({}) as never),
  serialized: Array.from({ length: count }, () => ({ eventId: '', type: 't', data: 'x'.repeat(chars), metadata: '{}' })),
});
const events = (maxEvents: number) => ({ maxEvents, maxJson: Infinity, parts: 1, minPartEvents: 1 });

describe('planStatements', () => {
  it('puts repeated streams into later rounds, keeping their order', () => {
    expect(planStatements([entry('a'), entry('b'), entry('a'), entry('a'), entry('c')], events(100))).toEqual([[[0, 1, 4]], [[2]], [[3]]]);
  });

  it('cuts a round into statements of at most maxEvents events; an oversized append stays whole', () => {
    expect(planStatements([entry('a', 3), entry('b', 3), entry('c', 2), entry('d', 9), entry('e', 1)], events(6))).toEqual([
      [[0, 1], [2], [3], [4]],
    ]);
  });

  it('also cuts at maxJson characters of data + metadata; an oversized append stays whole', () => {
    // each event: 10 characters of data + 2 of metadata
    const limits = { maxEvents: 100, maxJson: 30, parts: 1, minPartEvents: 1 };
    expect(planStatements([entry('a', 2, 10), entry('b', 1, 10), entry('c', 3, 10), entry('d', 1, 10)], limits)).toEqual([
      [[0], [1], [2], [3]],
    ]);
    expect(planStatements([entry('a', 1, 10), entry('b', 1, 10), entry('c', 1, 10), entry('d', 1, 10)], limits)).toEqual([
      [
        [0, 1],
        [2, 3],
      ],
    ]);
  });

  it('cuts each round into at most `parts` statements of about equal size, none smaller than minPartEvents for it', () => {
    const limits = (parts: number, minPartEvents: number) => ({ maxEvents: 100, maxJson: Infinity, parts, minPartEvents });
    const ten = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((name) => entry(name, 2));
    // 20 events in 3 parts: at least 7 events each (4 appends), the rest in the last
    expect(planStatements(ten, limits(3, 1))).toEqual([
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
      ],
    ]);
    // parts of at least 10 events: two, though 4 were allowed
    expect(planStatements(ten, limits(4, 10))).toEqual([
      [
        [0, 1, 2, 3, 4],
        [5, 6, 7, 8, 9],
      ],
    ]);
    // a round smaller than minPartEvents stays one statement; each round is split on its own
    expect(planStatements([...ten, entry('a', 2), entry('b', 2)], limits(4, 10))).toEqual([
      [
        [0, 1, 2, 3, 4],
        [5, 6, 7, 8, 9],
      ],
      [[10, 11]],
    ]);
    // the hard limit still holds within a part
    expect(planStatements(ten, { ...limits(2, 1), maxEvents: 6 })).toEqual([[[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]]);
  });

  it('plans nothing for an empty batch', () => {
    expect(planStatements([], events(10))).toEqual([]);
  });
});

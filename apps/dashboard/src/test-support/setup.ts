import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';

// jsdom has no canvas: getContext() would log "not implemented"; the chart wrapper skips a canvas without a context.
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

// The dashboard must log no error or warning (React key warnings, act() warnings...): any such call fails the test.
let logged: unknown[][] = [];
beforeEach(() => {
  logged = [];
  for (const level of ['error', 'warn'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push([level, ...args]);
    });
  }
});

afterEach(() => {
  cleanup();
  window.localStorage.clear();
  window.history.replaceState(null, '', '/');
  vi.unstubAllGlobals();
  if (logged.length > 0) throw new Error(`console output during the test: ${JSON.stringify(logged.map((l) => l.map(String)))}`);
});

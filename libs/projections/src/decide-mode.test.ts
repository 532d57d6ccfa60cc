import { describe, expect, it } from '@jest/globals';
import type { CheckpointRow } from './checkpoints.js';
import { decideMode } from './decide-mode.js';

const row = (overrides: Partial<CheckpointRow> = {}): CheckpointRow => ({
  name: 'p',
  version: 2,
  position: null,
  status: 'running',
  rebuildRequested: false,
  rebuildVersion: null,
  rebuildPosition: null,
  haltedReason: null,
  ...overrides,
});

describe('decideMode', () => {
  it('runs live when the tables were built by this version and nothing is asked', () => {
    expect(decideMode(row(), { version: 2 })).toBe('live');
  });

  it('rebuilds when the code is newer than the tables (including version 0: tables from before the runner)', () => {
    expect(decideMode(row({ version: 1 }), { version: 2 })).toBe('rebuild');
    expect(decideMode(row({ version: 0 }), { version: 1 })).toBe('rebuild');
  });

  it('resumes a rebuild in progress, and rebuilds on request even when halted', () => {
    expect(decideMode(row({ status: 'rebuilding', rebuildVersion: 2 }), { version: 2 })).toBe('rebuild');
    expect(decideMode(row({ rebuildRequested: true }), { version: 2 })).toBe('rebuild');
    expect(decideMode(row({ status: 'halted', rebuildRequested: true }), { version: 2 })).toBe('rebuild');
  });

  it('stays halted until an operator acts, even under newer code (resume, then it rebuilds)', () => {
    expect(decideMode(row({ status: 'halted' }), { version: 2 })).toBe('halted');
    expect(decideMode(row({ status: 'halted', version: 1 }), { version: 2 })).toBe('halted');
    expect(decideMode(row({ status: 'halted', rebuildVersion: 2 }), { version: 2 })).toBe('halted');
  });

  it('never lets older code touch tables or a rebuild of newer code', () => {
    expect(decideMode(row({ version: 3 }), { version: 2 })).toBe('passive');
    expect(decideMode(row({ version: 2, status: 'rebuilding', rebuildVersion: 3 }), { version: 2 })).toBe('passive');
    expect(decideMode(row({ version: 3, rebuildRequested: true }), { version: 2 })).toBe('passive');
  });
});

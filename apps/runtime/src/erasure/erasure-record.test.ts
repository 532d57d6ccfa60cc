import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { nothingErased, orgErasedEvent } from './erasure-record.js';

describe('orgErasedEvent', () => {
  const orgId = '6F1C7C55-8A6C-4B43-9D0E-0A4B0F6A8C11';
  const counts = { events: 4, opportunities: 1, actions: 1, orgStreams: 1, ledgerEntries: 0 };

  it('holds a hash of the (lower-case) org id, never the id itself', () => {
    const event = orgErasedEvent(orgId, counts, new Date('2026-11-01T00:00:00Z'));
    const text = JSON.stringify(event);
    expect(text.toLowerCase()).not.toContain(orgId.toLowerCase());
    expect(event.data).toEqual({
      orgIdSha256: createHash('sha256').update(orgId.toLowerCase()).digest('hex'),
      counts,
      erasedAt: '2026-11-01T00:00:00.000Z',
    });
  });

  it('nothingErased only when every count is zero', () => {
    expect(nothingErased({ ...counts, events: 0, opportunities: 0, actions: 0, orgStreams: 0 })).toBe(true);
    expect(nothingErased(counts)).toBe(false);
  });
});

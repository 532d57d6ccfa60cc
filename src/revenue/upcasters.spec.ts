import { describe, expect, it } from '@jest/globals';
import { ALL_REVENUE_EVENT_TYPES, isRevenueEventType } from './events.js';
import { orgIdFromStreamName, revenueStreamName } from './stream.js';
import { actionApproved } from './test-support/fixtures.js';
import { upcast, upcasters } from './upcasters.js';

describe('event types, upcasting and stream names', () => {
  it('lists fourteen distinct versioned type strings', () => {
    expect(new Set(ALL_REVENUE_EVENT_TYPES).size).toBe(14);
    expect(ALL_REVENUE_EVENT_TYPES.every((t) => /^revenue\.[a-z-]+\.v\d+$/.test(t))).toBe(true);
    expect(isRevenueEventType('revenue.action-sent.v1')).toBe(true);
    expect(isRevenueEventType('RevenueActionSent')).toBe(false);
  });

  it('passes current events through and returns null for a foreign type', () => {
    expect(Object.keys(upcasters)).toEqual([]);
    const event = actionApproved('a1', 'o1');
    expect(upcast(event)).toBe(event);
    expect(upcast({ type: 'billing.invoice-paid.v1', data: {} })).toBeNull();
  });

  it('names one stream per org and reads the org back', () => {
    expect(revenueStreamName('7f1c')).toBe('revenue-org-7f1c');
    expect(orgIdFromStreamName('revenue-org-7f1c')).toBe('7f1c');
    expect(orgIdFromStreamName('billing-org-7f1c')).toBeNull();
    expect(orgIdFromStreamName('revenue-org-')).toBeNull();
    expect(() => revenueStreamName('')).toThrow('orgId');
  });
});

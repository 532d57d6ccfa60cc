import { describe, expect, it } from '@jest/globals';
import { calculateExpansion } from './expansion.js';
import { openOpportunities } from './queries.js';
import { foldEvents } from './state.js';
import { daysAgo, opportunityClosed, opportunityDetected } from './test-support/fixtures.js';

describe('calculateExpansion (spec: upsell 15, cross_sell 10, feature_expansion 5 x confidence, cents)', () => {
  it('weights each open expansion opportunity and picks the most confident as top', () => {
    const state = foldEvents([
      opportunityDetected({ id: 'up', type: 'upsell', confidence: 0.85 }),
      opportunityDetected({ id: 'cs', type: 'cross_sell', confidence: 0.95 }),
      opportunityDetected({ id: 'fe', type: 'feature_expansion', confidence: 0.7 }),
      opportunityDetected({ id: 'churn', type: 'retention_intervention', confidence: 0.99 }),
      opportunityDetected({ id: 'credit', type: 'credit_marketplace_offer', confidence: 0.99 }),
    ]);
    const result = calculateExpansion(Object.values(state.opportunities));
    expect(result.potentialMRR).toBe(25.75); // 12.75 + 9.5 + 3.5
    expect(result.opportunities).toBe(3);
    expect(result.topOpportunity?.id).toBe('cs');
  });

  it('leaves closed opportunities out', () => {
    const state = foldEvents([
      opportunityDetected({ id: 'up', type: 'upsell', confidence: 0.85 }),
      opportunityClosed('up', 'upsell', 'won'),
      opportunityDetected({ id: 'fe', type: 'feature_expansion', confidence: 0.7 }),
    ]);
    expect(calculateExpansion(Object.values(state.opportunities))).toMatchObject({ potentialMRR: 3.5, opportunities: 1 });
  });

  it.each([
    [0.8123, 12.18], // 12.1845 rounds down
    [0.8127, 12.19], // 12.1905 rounds up
  ])('rounds to cents (upsell at %d -> %d)', (confidence, mrr) => {
    const state = foldEvents([opportunityDetected({ id: 'up', type: 'upsell', confidence })]);
    expect(calculateExpansion(openOpportunities(state)).potentialMRR).toBe(mrr);
  });

  it('breaks a confidence tie for the top by the earlier detection', () => {
    const state = foldEvents([
      opportunityDetected({ id: 'late', type: 'upsell', confidence: 0.8, at: daysAgo(1) }),
      opportunityDetected({ id: 'early', type: 'cross_sell', confidence: 0.8, at: daysAgo(2) }),
    ]);
    expect(calculateExpansion(openOpportunities(state)).topOpportunity?.id).toBe('early');
  });

  it('is zero with nothing to count', () => {
    expect(calculateExpansion([])).toEqual({ potentialMRR: 0, opportunities: 0, topOpportunity: null });
  });
});

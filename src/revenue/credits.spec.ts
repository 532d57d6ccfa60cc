import { describe, expect, it } from '@jest/globals';
import { addCredits, canAfford, isValidCreditAmount, subtractCredits } from './credits.js';

describe('credits arithmetic (4 decimal places, no float drift)', () => {
  it('adds and subtracts exactly', () => {
    expect(addCredits(0.1, 0.2)).toBe(0.3);
    expect(subtractCredits(0.1, 0.02)).toBe(0.08);
    expect(addCredits(...Array.from({ length: 50 }, () => 0.02))).toBe(1);
  });

  it('affords exactly at the boundary and not one ten-thousandth below', () => {
    expect(canAfford(0.02, 0.02)).toBe(true);
    expect(canAfford(0.0199, 0.02)).toBe(false);
    expect(canAfford(subtractCredits(0.1, 0.08), 0.02)).toBe(true);
  });

  it('accepts only finite non-negative amounts', () => {
    expect([0, 0.02, 12.3456].every(isValidCreditAmount)).toBe(true);
    expect([-0.01, Number.NaN, Number.POSITIVE_INFINITY, '1'].some(isValidCreditAmount)).toBe(false);
  });
});

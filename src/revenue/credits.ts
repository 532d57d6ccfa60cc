/**
 * Credits are decimal numbers with at most 4 places (the wallet column is NUMERIC(14,4)).
 * Events carry them as such; every sum or difference goes through integer ten-thousandths so
 * that reserving 0.02 fifty times is exactly 1, never 0.9999999999.
 */
const UNITS_PER_CREDIT = 10_000;

export type Credits = number;

export function toCreditUnits(credits: Credits): number {
  return Math.round(credits * UNITS_PER_CREDIT);
}

export function fromCreditUnits(units: number): Credits {
  return units / UNITS_PER_CREDIT;
}

export function addCredits(...amounts: readonly Credits[]): Credits {
  return fromCreditUnits(amounts.reduce((sum, amount) => sum + toCreditUnits(amount), 0));
}

export function subtractCredits(from: Credits, amount: Credits): Credits {
  return fromCreditUnits(toCreditUnits(from) - toCreditUnits(amount));
}

/** True when `amount` fits in `available`; exact at the boundary. */
export function canAfford(available: Credits, amount: Credits): boolean {
  return toCreditUnits(available) >= toCreditUnits(amount);
}

export function isValidCreditAmount(value: unknown): value is Credits {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER / UNITS_PER_CREDIT;
}

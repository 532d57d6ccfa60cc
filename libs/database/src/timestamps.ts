/**
 * slonik hands timestamptz columns over as epoch milliseconds; the API and the domain speak
 * ISO-8601. Null stays null.
 */
export function isoTimestamp(ms: number): string;
export function isoTimestamp(ms: number | null): string | null;
export function isoTimestamp(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

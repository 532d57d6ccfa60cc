/** How figures are written (apps/dashboard/README.md lists the rules the browser tests rely on). */

/** Money (potential MRR): two decimals, no grouping: 45.5 -> "45.50". */
export const formatMoney = (value: number): string => value.toFixed(2);

/** Credits (kept to 1/10000): at least two decimals, at most four: 0.02 -> "0.02", 1.5 -> "1.50", 0.0025 -> "0.0025". */
export const formatCredits = (value: number): string => value.toFixed(4).replace(/0{1,2}$/, '');

/** Counts: the integer as is: 1234 -> "1234". */
export const formatCount = (value: number): string => String(value);

/** A ratio 0..1 as a percentage with one decimal: 0.625 -> "62.5%"; null -> "—". */
export const formatRate = (value: number | null): string => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);

/** Confidence 0..1 as a percentage without decimals: 0.85 -> "85%". */
export const formatConfidence = (value: number): string => `${Math.round(value * 100)}%`;

/** How long ago: "45s", "12m", "5h", "3d". */
export function formatAge(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** A timestamp for people, in UTC so every reader sees the same: "2026-12-01 15:14:38 UTC". */
export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A type or status for people: "cross_sell" -> "cross sell". */
export const humanize = (value: string): string => value.replace(/[_-]+/g, ' ');

/** Evidence or details in one line: "seats: 12, usage: 0.93". */
export function formatFacts(facts: Readonly<Record<string, unknown>> | null | undefined, max = 3): string {
  const entries = Object.entries(facts ?? {});
  if (entries.length === 0) return '—';
  const shown = entries.slice(0, max).map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  return entries.length > max ? `${shown.join(', ')}, +${entries.length - max} more` : shown.join(', ');
}

/** A number with its sign and `digits` decimals: 3 -> "+3.0", -1.23 -> "-1.2"; a value that rounds to zero has no sign ("0.0"). */
export function formatSigned(value: number, digits: number): string {
  const magnitude = Math.abs(value).toFixed(digits);
  if (Number(magnitude) === 0) return magnitude;
  return `${value < 0 ? '-' : '+'}${magnitude}`;
}

/** A difference of proportions in percentage points, one decimal: 0.03 -> "+3.0 pp"; unsigned for a magnitude (an MDE): "7.1 pp". */
export const formatPoints = (value: number, signed = true): string =>
  `${signed ? formatSigned(value * 100, 1) : (value * 100).toFixed(1)} pp`;

/** An interval of proportions in percentage points: { low: -0.0123, high: 0.0589 } -> "[-1.2, +5.9] pp". */
export const formatPointsInterval = ({ low, high }: { readonly low: number; readonly high: number }): string =>
  `[${formatSigned(low * 100, 1)}, ${formatSigned(high * 100, 1)}] pp`;

/** An interval of a signed quantity: "[-11.1, +53.0]" (digits 1), "[+1200.50, +5100.25]" (digits 2). */
export const formatSignedInterval = ({ low, high }: { readonly low: number; readonly high: number }, digits: number): string =>
  `[${formatSigned(low, digits)}, ${formatSigned(high, digits)}]`;

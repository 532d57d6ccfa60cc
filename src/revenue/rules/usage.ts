import { InvalidCommandError } from '../errors.js';
import type { RuleSet } from './rule-set.js';

/** Usage of one org over one window, summed by SQL from token_usage. */
export interface UsageWindow {
  readonly textTokens: number;
  readonly voiceSeconds: number;
  /** Number of token_usage rows: evidence only, never a measure of usage. */
  readonly rows: number;
}

/** Everything the detectors read about one org; the fleet sweep computes it for all orgs in SQL. */
export interface UsageSummary {
  readonly orgId: string;
  /** Wallet tier, null when the org has no wallet. */
  readonly tier: number | null;
  /** Wallet balance in credits, null when the org has no wallet. */
  readonly balance: number | null;
  /** The `windowDays` before `asOf`. */
  readonly recent: UsageWindow;
  /** The `windowDays` before `recent`. */
  readonly previous: UsageWindow;
  /** ISO-8601 instant the windows end at. */
  readonly asOf: string;
}

/** Usage volume in token equivalents: text tokens + voice seconds x the rule set's weight. */
export function usageVolume(window: UsageWindow, ruleSet: Pick<RuleSet, 'voiceSecondTokenWeight'>): number {
  return window.textTokens + window.voiceSeconds * ruleSet.voiceSecondTokenWeight;
}

export function assertUsageSummary(summary: UsageSummary): void {
  if (typeof summary.orgId !== 'string' || summary.orgId === '') throw new InvalidCommandError('usage.orgId', 'must be a non-empty string');
  for (const name of ['recent', 'previous'] as const) {
    for (const key of ['textTokens', 'voiceSeconds', 'rows'] as const) {
      const value = summary[name]?.[key];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new InvalidCommandError(`usage.${name}.${key}`, `must be a finite number >= 0, got ${String(value)}`);
      }
    }
  }
  if (summary.tier !== null && !(Number.isInteger(summary.tier) && summary.tier >= 1)) {
    throw new InvalidCommandError('usage.tier', `must be an integer >= 1 or null, got ${String(summary.tier)}`);
  }
  if (summary.balance !== null && !(typeof summary.balance === 'number' && Number.isFinite(summary.balance))) {
    throw new InvalidCommandError('usage.balance', `must be a finite number or null, got ${String(summary.balance)}`);
  }
}

import { usageVolume } from '../rules/usage.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { Opportunity } from '../state.js';
import type { Facts, OpportunityType } from '../types.js';

/** What a conversion is worth per month, and how long after detection the engine looks. */
export interface ObservationConfig {
  /** Days after detection that the observation covers (default 30). */
  readonly windowDays: number;
  /** A retention play converts when the window's volume, per rule window, is at least this share of the volume before the decline. */
  readonly retentionRecoveryShare: number;
  readonly prices: {
    /** Monthly price per tier (tier 1 = index 0); a tier above the list costs the last price. */
    readonly tierMonthly: readonly number[];
    readonly crossSellConversion: number;
    readonly featureExpansion: number;
  };
}

/** Defaults of issue 14: one tier step is worth the specification's upsell weight (15). */
export const defaultObservationConfig: ObservationConfig = {
  windowDays: 30,
  retentionRecoveryShare: 0.8,
  prices: { tierMonthly: [0, 15, 30, 45], crossSellConversion: 10, featureExpansion: 5 },
};

/**
 * What the platform's data says about one org over one observation window, read set-based in
 * SQL (token_usage, tier_changes, token_wallets, credit_purchases): the window is
 * [windowStart, windowEnd), windowStart = the opportunity's detection.
 */
export interface ObservationFacts {
  readonly windowStart: string;
  readonly windowEnd: string;
  /** The org's tier when the window opened and when it closed (null: no wallet and no tier history). */
  readonly tierAtStart: number | null;
  readonly tierAtEnd: number | null;
  readonly textTokens: number;
  readonly voiceSeconds: number;
  readonly creditPurchases: number;
  /** Money paid for those purchases. */
  readonly creditPurchaseAmount: number;
}

export interface ObservedOutcome {
  readonly converted: boolean;
  /** Monthly value realised by the conversion (0 when it did not convert), 4 decimal places. */
  readonly realisedMrr: number;
  /** The numbers the verdict was taken from. */
  readonly evidence: Facts;
}

const DAY_MS = 86_400_000;

export function observationWindow(opportunity: Pick<Opportunity, 'detectedAt'>, config: ObservationConfig): { start: string; end: string } {
  const start = Date.parse(opportunity.detectedAt);
  return { start: new Date(start).toISOString(), end: new Date(start + config.windowDays * DAY_MS).toISOString() };
}

export function tierPrice(config: ObservationConfig, tier: number): number {
  const list = config.prices.tierMonthly;
  return list[Math.min(Math.max(tier, 1), list.length) - 1] ?? 0;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const numberFact = (facts: Facts, key: string): number | null => (typeof facts[key] === 'number' ? (facts[key] as number) : null);

/**
 * Did the play work for this org? One definition per type (docs/RULES.md "Observed outcomes"),
 * the same for both arms: a control org that upgrades on its own converts too, which is the point.
 * It compares with the details as detected (`baseline`): a held-out opportunity stays open and
 * is refreshed, a treated one closes on its outcome, so the latest details would measure the two
 * arms against different baselines.
 */
export function observeOutcome(
  opportunity: Pick<Opportunity, 'type' | 'baseline'>,
  facts: ObservationFacts,
  config: ObservationConfig,
  ruleSet: Pick<RuleSet, 'voiceSecondTokenWeight' | 'upsell' | 'windowDays'>,
): ObservedOutcome {
  const byType: Record<OpportunityType, () => ObservedOutcome> = {
    upsell: () => {
      const from = facts.tierAtStart ?? numberFact(opportunity.baseline, 'currentTier') ?? ruleSet.upsell.defaultTier;
      const to = facts.tierAtEnd ?? from;
      const converted = to > from;
      return {
        converted,
        realisedMrr: converted ? round4(tierPrice(config, to) - tierPrice(config, from)) : 0,
        evidence: { tierAtStart: from, tierAtEnd: to },
      };
    },
    cross_sell: () => {
      const converted = facts.voiceSeconds > 0;
      return { converted, realisedMrr: converted ? config.prices.crossSellConversion : 0, evidence: { voiceSeconds: facts.voiceSeconds } };
    },
    feature_expansion: () => {
      const volume = perRuleWindow(facts, config, ruleSet);
      const atDetection = numberFact(opportunity.baseline, 'currentPeriod') ?? Number.POSITIVE_INFINITY;
      const converted = volume >= atDetection;
      return {
        converted,
        realisedMrr: converted ? config.prices.featureExpansion : 0,
        evidence: { volumePerRuleWindow: volume, volumeAtDetection: Number.isFinite(atDetection) ? atDetection : null },
      };
    },
    retention_intervention: () => {
      const volume = perRuleWindow(facts, config, ruleSet);
      const before = numberFact(opportunity.baseline, 'previousPeriod') ?? Number.POSITIVE_INFINITY;
      const needed = before * config.retentionRecoveryShare;
      const converted = volume >= needed;
      const tier = facts.tierAtEnd ?? facts.tierAtStart ?? ruleSet.upsell.defaultTier;
      return {
        converted,
        realisedMrr: converted ? tierPrice(config, tier) : 0,
        evidence: {
          volumePerRuleWindow: volume,
          volumeBeforeDecline: Number.isFinite(before) ? before : null,
          recoveryShare: config.retentionRecoveryShare,
          tier,
        },
      };
    },
    credit_marketplace_offer: () => {
      const converted = facts.creditPurchases > 0;
      return {
        converted,
        realisedMrr: converted ? round4(facts.creditPurchaseAmount) : 0,
        evidence: { creditPurchases: facts.creditPurchases, creditPurchaseAmount: round4(facts.creditPurchaseAmount) },
      };
    },
  };
  return byType[opportunity.type]();
}

/**
 * The window's usage volume scaled to the rule set's window (30 days by default), the span the
 * detection's volumes cover, so an observation window of another length compares like for like.
 */
function perRuleWindow(
  facts: ObservationFacts,
  config: ObservationConfig,
  ruleSet: Pick<RuleSet, 'voiceSecondTokenWeight' | 'windowDays'>,
): number {
  const volume = usageVolume({ textTokens: facts.textTokens, voiceSeconds: facts.voiceSeconds, rows: 0 }, ruleSet);
  return round4((volume * ruleSet.windowDays) / config.windowDays);
}

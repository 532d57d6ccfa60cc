import type { ActionType, OpportunityType } from '../types.js';

/**
 * The rules as data. A version is immutable once it has produced events: every detection and
 * every proposed action records the version that fired it, so change a number -> new version.
 * Thresholds named `...Above` / `...Below` are strict (the spec's `>` and `<`); `min...` are inclusive.
 * docs/RULES.md explains each value.
 */
export interface RuleSet {
  readonly version: string;
  /** Length of the recent window and of the window before it (the SQL side computes the sums). */
  readonly windowDays: number;
  /** One voice second counts as this many text tokens when usage volume is compared. */
  readonly voiceSecondTokenWeight: number;
  readonly upsell: {
    readonly source: string;
    readonly confidence: number;
    readonly textTokensAbove: number;
    readonly voiceSecondsAbove: number;
    readonly tierBelow: number;
    /** Tier assumed when the org has no wallet. */
    readonly defaultTier: number;
  };
  readonly churn: {
    readonly source: string;
    readonly confidence: number;
    /** Fires when recent volume < previous volume x this ratio. */
    readonly recentToPreviousRatioBelow: number;
  };
  readonly crossSell: {
    readonly source: string;
    readonly confidence: number;
    readonly textTokensAbove: number;
    /** Voice seconds in both windows must not exceed this (0: never used voice). */
    readonly maxVoiceSeconds: number;
  };
  readonly featureExpansion: {
    readonly source: string;
    readonly confidence: number;
    /** Fires when recent volume >= previous volume x this ratio... */
    readonly minGrowthRatio: number;
    /** ...and the previous volume was at least this (growth from almost nothing is noise). */
    readonly minPreviousVolume: number;
  };
  readonly creditOffer: {
    readonly source: string;
    readonly confidence: number;
    /** Fires when the balance lasts at most this many days at the recent window's burn rate. */
    readonly maxRunwayDays: number;
    /** Assumed price list used to turn usage into a credit burn rate (the platform keeps no debit history). */
    readonly textTokensPerCredit: number;
    readonly voiceSecondsPerCredit: number;
  };
  readonly actions: {
    readonly byOpportunityType: Readonly<Record<OpportunityType, ActionType>>;
    readonly fallback: ActionType;
    readonly minConfidence: number;
    readonly maxPerRun: number;
    /** An opportunity whose latest action was proposed at most this many days ago is skipped. */
    readonly cooldownDays: number;
    /** Text credits reserved when an action is proposed and charged when it is sent. */
    readonly creditCost: number;
  };
  readonly expansion: {
    /** Monthly value of an opportunity = weight x confidence; other types count nothing. */
    readonly mrrWeights: Readonly<Partial<Record<OpportunityType, number>>>;
  };
  /**
   * Plays with a control group: an org detected for the type is assigned to an arm of the play's
   * experiment, and a held-out (control) opportunity gets no action. Absent or no entry: every
   * opportunity is treated, as the specification does (holdout share 0).
   */
  readonly holdouts?: Readonly<Partial<Record<OpportunityType, Holdout>>>;
}

export interface Holdout {
  /** Changes only when someone deliberately starts a new experiment, never with a rule set version. */
  readonly experimentId: string;
  /** Share of orgs held out, from 0 to 0.5. */
  readonly share: number;
}

export const defaultRuleSet: RuleSet = {
  version: '2025-11-21.1',
  windowDays: 30,
  voiceSecondTokenWeight: 167,
  upsell: { source: 'usage_analysis', confidence: 0.85, textTokensAbove: 50_000, voiceSecondsAbove: 300, tierBelow: 3, defaultTier: 1 },
  churn: { source: 'usage_decline', confidence: 0.9, recentToPreviousRatioBelow: 0.5 },
  crossSell: { source: 'usage_pattern', confidence: 0.75, textTokensAbove: 25_000, maxVoiceSeconds: 0 },
  featureExpansion: { source: 'usage_growth', confidence: 0.7, minGrowthRatio: 1.5, minPreviousVolume: 10_000 },
  creditOffer: { source: 'credit_runway', confidence: 0.8, maxRunwayDays: 14, textTokensPerCredit: 1_000, voiceSecondsPerCredit: 60 },
  actions: {
    byOpportunityType: {
      upsell: 'offer_upgrade',
      cross_sell: 'send_email',
      feature_expansion: 'send_email',
      retention_intervention: 'voice_outreach',
      credit_marketplace_offer: 'trigger_client_journey_action',
    },
    fallback: 'send_email',
    minConfidence: 0.7,
    maxPerRun: 5,
    cooldownDays: 7,
    creditCost: 0.02,
  },
  expansion: { mrrWeights: { upsell: 15, cross_sell: 10, feature_expansion: 5 } },
};

/** The default holdout share of a play: 10 % of the orgs it detects are held out as its control group. */
export const DEFAULT_HOLDOUT_SHARE = 0.1;

/**
 * The specification's rules with a control group for every play (10 %): the version the demo
 * runs, and the one to choose (RULE_SET_VERSION) for measuring effect. Detection and actions are
 * exactly the default's; only held-out opportunities go without an action.
 */
export const holdoutRuleSet: RuleSet = {
  ...defaultRuleSet,
  version: '2026-12-01.1',
  holdouts: {
    upsell: { experimentId: 'upsell-holdout-1', share: DEFAULT_HOLDOUT_SHARE },
    cross_sell: { experimentId: 'cross-sell-holdout-1', share: DEFAULT_HOLDOUT_SHARE },
    feature_expansion: { experimentId: 'feature-expansion-holdout-1', share: DEFAULT_HOLDOUT_SHARE },
    retention_intervention: { experimentId: 'retention-holdout-1', share: DEFAULT_HOLDOUT_SHARE },
    credit_marketplace_offer: { experimentId: 'credit-offer-holdout-1', share: DEFAULT_HOLDOUT_SHARE },
  },
};

/** Every version that may appear in history, so an auditor can look up the numbers behind an event. */
export const ruleSetsByVersion: Readonly<Record<string, RuleSet>> = {
  [defaultRuleSet.version]: defaultRuleSet,
  [holdoutRuleSet.version]: holdoutRuleSet,
};

export function actionTypeFor(ruleSet: RuleSet, type: string): ActionType {
  return (ruleSet.actions.byOpportunityType as Readonly<Record<string, ActionType>>)[type] ?? ruleSet.actions.fallback;
}

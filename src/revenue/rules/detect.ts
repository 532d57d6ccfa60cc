import type { Facts, OpportunityType } from '../types.js';
import { defaultRuleSet, type RuleSet } from './rule-set.js';
import { assertUsageSummary, usageVolume, type UsageSummary } from './usage.js';

/** What a detector found: the input of RecordDetections. Evidence holds the numbers that fired it. */
export interface Detection {
  readonly type: OpportunityType;
  readonly source: string;
  readonly confidence: number;
  readonly details: Facts;
  readonly evidence: Facts;
  readonly ruleSetVersion: string;
}

/** A detector validates its input (bad numbers are an InvalidCommandError) and returns null when its rule does not fire. */
export type Detector = (usage: UsageSummary, ruleSet?: RuleSet) => Detection | null;

/** The spec's rule: high usage in the window on a tier below 3 (no wallet counts as tier 1). */
export const detectUpsell: Detector = (usage, ruleSet = defaultRuleSet) => {
  assertUsageSummary(usage);
  const rule = ruleSet.upsell;
  const { textTokens, voiceSeconds, rows } = usage.recent;
  if (rows === 0) return null; // the spec only looks when the window has usage rows
  const tier = usage.tier ?? rule.defaultTier;
  const heavy = textTokens > rule.textTokensAbove || voiceSeconds > rule.voiceSecondsAbove;
  if (!(tier < rule.tierBelow && heavy)) return null;
  return {
    type: 'upsell',
    source: rule.source,
    confidence: rule.confidence,
    ruleSetVersion: ruleSet.version,
    details: { currentTier: tier, suggestedTier: tier + 1, monthlyTokens: textTokens, monthlyVoice: voiceSeconds },
    evidence: { textTokens, voiceSeconds, usageRows: rows, tier, walletFound: usage.tier !== null },
  };
};

/**
 * Recent volume below half the previous window's. Volume, not row counts (see docs/RULES.md);
 * an org whose usage stopped entirely is the strongest churn signal, so recent = 0 fires too.
 */
export const detectChurn: Detector = (usage, ruleSet = defaultRuleSet) => {
  assertUsageSummary(usage);
  const rule = ruleSet.churn;
  const previous = usageVolume(usage.previous, ruleSet);
  const recent = usageVolume(usage.recent, ruleSet);
  if (previous <= 0 || !(recent < previous * rule.recentToPreviousRatioBelow)) return null;
  return {
    type: 'retention_intervention',
    source: rule.source,
    confidence: rule.confidence,
    ruleSetVersion: ruleSet.version,
    details: { previousPeriod: previous, currentPeriod: recent, declinePercent: Math.round((1 - recent / previous) * 100) },
    evidence: windowsEvidence(usage),
  };
};

/** Heavy text use by an org that has not used voice in either window: offer voice. */
export const detectCrossSell: Detector = (usage, ruleSet = defaultRuleSet) => {
  assertUsageSummary(usage);
  const rule = ruleSet.crossSell;
  const { recent, previous } = usage;
  const noVoice = recent.voiceSeconds <= rule.maxVoiceSeconds && previous.voiceSeconds <= rule.maxVoiceSeconds;
  if (!(recent.textTokens > rule.textTokensAbove && noVoice)) return null;
  return {
    type: 'cross_sell',
    source: rule.source,
    confidence: rule.confidence,
    ruleSetVersion: ruleSet.version,
    details: { suggestedProduct: 'voice', monthlyTokens: recent.textTokens, monthlyVoice: recent.voiceSeconds },
    evidence: { recentTextTokens: recent.textTokens, recentVoiceSeconds: recent.voiceSeconds, previousVoiceSeconds: previous.voiceSeconds },
  };
};

/** Strong month-over-month growth of volume on the org's current tier. */
export const detectFeatureExpansion: Detector = (usage, ruleSet = defaultRuleSet) => {
  assertUsageSummary(usage);
  const rule = ruleSet.featureExpansion;
  const previous = usageVolume(usage.previous, ruleSet);
  const recent = usageVolume(usage.recent, ruleSet);
  if (previous < rule.minPreviousVolume || !(recent >= previous * rule.minGrowthRatio)) return null;
  const tier = usage.tier ?? ruleSet.upsell.defaultTier;
  return {
    type: 'feature_expansion',
    source: rule.source,
    confidence: rule.confidence,
    ruleSetVersion: ruleSet.version,
    details: {
      currentTier: tier,
      previousPeriod: previous,
      currentPeriod: recent,
      growthPercent: Math.round((recent / previous - 1) * 100),
    },
    evidence: windowsEvidence(usage),
  };
};

/** The wallet runs dry within `maxRunwayDays` at the recent window's burn rate: offer credits. */
export const detectCreditOffer: Detector = (usage, ruleSet = defaultRuleSet) => {
  assertUsageSummary(usage);
  const rule = ruleSet.creditOffer;
  const { balance, recent } = usage;
  if (balance === null) return null; // no wallet, nothing to top up
  const burnInWindow = recent.textTokens / rule.textTokensPerCredit + recent.voiceSeconds / rule.voiceSecondsPerCredit;
  // Runway = balance / (burn / windowDays); multiplied out so the boundary compares exactly.
  if (burnInWindow <= 0 || balance * ruleSet.windowDays > burnInWindow * rule.maxRunwayDays) return null;
  const runwayDays = (balance * ruleSet.windowDays) / burnInWindow;
  return {
    type: 'credit_marketplace_offer',
    source: rule.source,
    confidence: rule.confidence,
    ruleSetVersion: ruleSet.version,
    details: { balance, dailyBurn: round(burnInWindow / ruleSet.windowDays, 4), runwayDays: round(Math.max(runwayDays, 0), 1) },
    evidence: { balance, recentTextTokens: recent.textTokens, recentVoiceSeconds: recent.voiceSeconds },
  };
};

export const detectors: Readonly<Record<OpportunityType, Detector>> = {
  upsell: detectUpsell,
  retention_intervention: detectChurn,
  cross_sell: detectCrossSell,
  feature_expansion: detectFeatureExpansion,
  credit_marketplace_offer: detectCreditOffer,
};

/** Every detector over one org's summary, in the spec's order (upsell, churn) then ours. */
export function detectAll(usage: UsageSummary, ruleSet: RuleSet = defaultRuleSet): Detection[] {
  return Object.values(detectors).flatMap((detect) => detect(usage, ruleSet) ?? []);
}

function windowsEvidence(usage: UsageSummary): Facts {
  const { recent, previous } = usage;
  return {
    previousTextTokens: previous.textTokens,
    previousVoiceSeconds: previous.voiceSeconds,
    previousRows: previous.rows,
    recentTextTokens: recent.textTokens,
    recentVoiceSeconds: recent.voiceSeconds,
    recentRows: recent.rows,
  };
}

function round(value: number, places: number): number {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

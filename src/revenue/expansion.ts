import { byConfidenceDescending } from './queries.js';
import { defaultRuleSet, type RuleSet } from './rules/rule-set.js';
import type { Opportunity } from './state.js';

export interface ExpansionEstimate {
  /** Sum of weight x confidence over open expansion opportunities, rounded to cents. */
  readonly potentialMRR: number;
  /** How many open expansion opportunities were counted. */
  readonly opportunities: number;
  /** The counted opportunity with the highest confidence. */
  readonly topOpportunity: Opportunity | null;
}

/**
 * The spec's expansion revenue over open opportunities whose type has an MRR weight (upsell 15,
 * cross_sell 10, feature_expansion 5). Closed ones never count: a won upsell is revenue, not potential.
 */
export function calculateExpansion(opportunities: readonly Opportunity[], ruleSet: RuleSet = defaultRuleSet): ExpansionEstimate {
  const weights = ruleSet.expansion.mrrWeights;
  const counted = opportunities.filter((o) => o.status === 'open' && weights[o.type] !== undefined).sort(byConfidenceDescending);
  const total = counted.reduce((sum, o) => sum + (weights[o.type] ?? 0) * o.confidence, 0);
  return {
    potentialMRR: Math.round(total * 100) / 100,
    opportunities: counted.length,
    topOpportunity: counted[0] ?? null,
  };
}

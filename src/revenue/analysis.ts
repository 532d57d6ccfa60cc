import type { RevenueEvent } from './events.js';
import { calculateExpansion } from './expansion.js';
import { openOpportunities } from './queries.js';
import type { Detection } from './rules/detect.js';
import { defaultRuleSet, type RuleSet } from './rules/rule-set.js';
import type { RevenueAccountState } from './state.js';

/** The spec's RunFullAnalysis response. */
export interface AnalysisSummary {
  readonly upsellOpportunities: number;
  readonly churnRisks: number;
  readonly actionsTriggered: number;
  readonly potentialMRR: number;
}

export interface AnalysisRun {
  /** What the run's detectors found, whether it opened, refreshed or left unchanged an opportunity. */
  readonly detections: readonly Detection[];
  /** Every event the run appended (detections and trigger). */
  readonly events: readonly RevenueEvent[];
  /** The org's state after those events. */
  readonly state: RevenueAccountState;
}

/**
 * Counts as the spec does: upsells and churn risks found by this run's detectors (a repeat that
 * refreshes, or leaves unchanged, the open opportunity still counts: it was found again), actions
 * proposed by this run, and the expansion potential of the resulting open opportunities.
 */
export function summarizeAnalysis(run: AnalysisRun, ruleSet: RuleSet = defaultRuleSet): AnalysisSummary {
  return {
    upsellOpportunities: run.detections.filter((d) => d.type === 'upsell').length,
    churnRisks: run.detections.filter((d) => d.type === 'retention_intervention').length,
    actionsTriggered: run.events.filter((e) => e.type === 'revenue.action-proposed.v1').length,
    potentialMRR: calculateExpansion(openOpportunities(run.state), ruleSet).potentialMRR,
  };
}

import { Command } from '@nestjs/cqrs';
import type { AnalysisSummary } from '#revenue';
import type { RevenueCommandResult } from '../org-command.js';
import type { CommandMeta } from '../revenue-deps.js';

export interface FullAnalysisResult extends RevenueCommandResult {
  /** The specification's response: {upsellOpportunities, churnRisks, actionsTriggered, potentialMRR}. */
  readonly analysis: AnalysisSummary;
}

/** Detects every opportunity type, triggers actions and computes the expansion, for one org. */
export class RunFullAnalysis extends Command<FullAnalysisResult> {
  static readonly commandName = 'RunFullAnalysis';
  constructor(
    readonly orgId: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OPPORTUNITY_TYPES, summarizeAnalysis } from '#revenue';
import { detect, recordDetections } from '../detect-opportunities/detect-and-record.js';
import { executeOnOrg } from '../org-command.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { recordThenTrigger, triggerActions } from '../trigger-actions/trigger-actions.handler.js';
import { RunFullAnalysis, type FullAnalysisResult } from './run-full-analysis.command.js';

/**
 * Detection and triggering are one decision on one stream revision, appended atomically: two
 * concurrent analyses of an org cannot both open the same opportunity or spend the same credits.
 */
@CommandHandler(RunFullAnalysis)
export class RunFullAnalysisHandler implements ICommandHandler<RunFullAnalysis, FullAnalysisResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  async execute({ orgId, meta }: RunFullAnalysis): Promise<FullAnalysisResult> {
    const detections = await detect(this.deps, orgId, OPPORTUNITY_TYPES);
    const decision = recordThenTrigger(recordDetections(orgId, detections, OPPORTUNITY_TYPES), triggerActions(this.deps, orgId));
    const result = await executeOnOrg(this.deps, orgId, RunFullAnalysis.commandName, meta, decision);
    return { ...result, analysis: summarizeAnalysis({ detections, events: result.events, state: result.state }, this.deps.ruleSet) };
  }
}

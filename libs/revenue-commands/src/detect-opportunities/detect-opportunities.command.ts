import { Command } from '@nestjs/cqrs';
import type { Detection, OpportunityType } from '#revenue';
import type { RevenueCommandResult } from '../org-command.js';
import type { CommandMeta } from '../revenue-deps.js';

export interface DetectResult extends RevenueCommandResult {
  /** What the detectors found this time, whether it opened, refreshed or left an opportunity as it was. */
  readonly detections: readonly Detection[];
}

/** Runs one detector over the org's usage and records what it found, with the rule set version and evidence (docs/RULES.md). */
export abstract class DetectCommand extends Command<DetectResult> {
  abstract readonly opportunityType: OpportunityType;
  /** Recorded in event metadata; stable even if the class is renamed. */
  abstract readonly commandName: string;
  constructor(
    readonly orgId: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

export class DetectUpsell extends DetectCommand {
  readonly commandName = 'DetectUpsell';
  readonly opportunityType = 'upsell' as const;
}
export class DetectChurn extends DetectCommand {
  readonly commandName = 'DetectChurn';
  readonly opportunityType = 'retention_intervention' as const;
}
export class DetectCrossSell extends DetectCommand {
  readonly commandName = 'DetectCrossSell';
  readonly opportunityType = 'cross_sell' as const;
}
export class DetectFeatureExpansion extends DetectCommand {
  readonly commandName = 'DetectFeatureExpansion';
  readonly opportunityType = 'feature_expansion' as const;
}
export class DetectCreditMarketplaceOffer extends DetectCommand {
  readonly commandName = 'DetectCreditMarketplaceOffer';
  readonly opportunityType = 'credit_marketplace_offer' as const;
}

export const detectCommands = [DetectUpsell, DetectChurn, DetectCrossSell, DetectFeatureExpansion, DetectCreditMarketplaceOffer] as const;

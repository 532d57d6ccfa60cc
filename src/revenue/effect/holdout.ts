import { createHash } from 'node:crypto';
import type { Holdout, RuleSet } from '../rules/rule-set.js';
import type { RevenueAccountState } from '../state.js';
import type { Arm, OpportunityType } from '../types.js';

/**
 * Where an org falls in an experiment: the first 52 bits of SHA-256("<experimentId>:<orgId>") as a
 * number in [0, 1). Depends on nothing but the two ids, so re-detections, rule set versions and
 * replays put an org in the same place, and two experiments (different ids) are independent.
 */
export function holdoutBucket(orgId: string, experimentId: string): number {
  const digest = createHash('sha256').update(`${experimentId}:${orgId}`).digest();
  return (digest.readUIntBE(0, 6) * 16 + (digest[6]! >> 4)) / 2 ** 52;
}

export interface Assignment {
  readonly experimentId: string;
  readonly arm: Arm;
  readonly share: number;
}

/**
 * The arm of an org detected for `type` under `ruleSet`: null when the play has no holdout. An org
 * already assigned in this experiment keeps its arm (recorded in its stream), so raising the
 * share later moves no one who was treated into the control group.
 */
export function assignmentFor(state: RevenueAccountState, orgId: string, type: OpportunityType, ruleSet: RuleSet): Assignment | null {
  const holdout: Holdout | undefined = ruleSet.holdouts?.[type];
  if (!holdout || !(holdout.share > 0)) return null;
  const arm = state.arms[holdout.experimentId] ?? (holdoutBucket(orgId, holdout.experimentId) < holdout.share ? 'control' : 'treatment');
  return { experimentId: holdout.experimentId, arm, share: holdout.share };
}

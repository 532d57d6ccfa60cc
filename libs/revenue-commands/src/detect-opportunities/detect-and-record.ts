import {
  decideRecordDetections,
  detectors,
  type DecideContext,
  type Detection,
  type OpportunityType,
  type RevenueAccountState,
  type RevenueEvent,
} from '#revenue';
import { loadUsageSummaries } from '../inputs/usage-summaries.sql.js';
import { assertOrganizationExists } from '../inputs/organizations.sql.js';
import type { RevenueDeps } from '../revenue-deps.js';

/** Reads the org's usage once (one SQL statement) and runs the chosen detectors over it. */
export async function detect(deps: RevenueDeps, orgId: string, types: readonly OpportunityType[]): Promise<Detection[]> {
  await assertOrganizationExists(deps.pool, orgId);
  const [usage] = await loadUsageSummaries(deps.pool, deps.clock.now(), deps.ruleSet, [orgId]);
  return types.flatMap((type) => detectors[type](usage!, deps.ruleSet) ?? []);
}

/**
 * The decision that records detections: opens new opportunities, refreshes the open ones, and
 * expires open ones of the evaluated types whose rule no longer fires.
 */
export function recordDetections(orgId: string, detections: readonly Detection[], evaluatedTypes: readonly OpportunityType[]) {
  return (state: RevenueAccountState, ctx: DecideContext): RevenueEvent[] =>
    decideRecordDetections({ kind: 'RecordDetections', orgId, detections, evaluatedTypes }, state, ctx);
}

import type { DecideContext, RecordDetections } from '../commands.js';
import { InvalidCommandError } from '../errors.js';
import type { RevenueEvent } from '../events.js';
import { openOpportunityOfType } from '../queries.js';
import type { Detection } from '../rules/detect.js';
import { evolve, type Opportunity, type RevenueAccountState } from '../state.js';
import { isOpportunityType, type Facts, type OpportunityType } from '../types.js';
import { assignmentFor, type Assignment } from '../effect/holdout.js';
import { closeOpportunityEvents } from './closing.js';
import { assertOrg, requireId, timestamp } from './guards.js';

/**
 * At most one open opportunity per type: a new type opens one, a repeat refreshes the open one
 * with the new numbers, and a repeat with identical numbers changes nothing (no event). A new
 * opportunity of a play with a holdout is followed by the org's arm in the play's experiment.
 */
export function decideRecordDetections(command: RecordDetections, state: RevenueAccountState, context: DecideContext): RevenueEvent[] {
  const orgId = assertOrg(state, command.orgId);
  if (!Array.isArray(command.detections)) throw new InvalidCommandError('detections', 'must be an array');
  command.detections.forEach(assertDetection);
  const at = timestamp(context);
  const events: RevenueEvent[] = [];
  let current = state; // folded as we go: two detections of one type in a command open one opportunity
  for (const d of command.detections) {
    const open = openOpportunityOfType(current, d.type);
    if (open && sameDetection(open, d)) continue;
    const facts = {
      orgId,
      opportunityType: d.type,
      source: d.source,
      confidence: d.confidence,
      details: d.details,
      evidence: d.evidence,
      ruleSetVersion: d.ruleSetVersion,
    };
    const event: RevenueEvent = open
      ? { type: 'revenue.opportunity-refreshed.v1', data: { ...facts, opportunityId: open.id, refreshedAt: at } }
      : {
          type: 'revenue.opportunity-detected.v1',
          data: { ...facts, opportunityId: requireId('newId()', context.newId(`opportunity:${d.type}`)), detectedAt: at },
        };
    const assignment = open ? null : assignmentFor(current, orgId, d.type, context.ruleSet);
    for (const e of assignment ? [event, armAssigned(event.data, assignment, context.ruleSet.version, at)] : [event]) {
      events.push(e);
      current = evolve(current, e);
    }
  }
  return [...events, ...expireUndetected(current, command, at)];
}

function armAssigned(
  opportunity: { readonly orgId: string; readonly opportunityId: string; readonly opportunityType: OpportunityType },
  assignment: Assignment,
  ruleSetVersion: string,
  at: string,
): RevenueEvent {
  const { orgId, opportunityId, opportunityType } = opportunity;
  return {
    type: 'revenue.experiment-arm-assigned.v1',
    data: { orgId, opportunityId, opportunityType, ...assignment, ruleSetVersion, assignedAt: at },
  };
}

/** Open opportunities of evaluated types that this run did not detect again. */
function expireUndetected(state: RevenueAccountState, command: RecordDetections, at: string): RevenueEvent[] {
  const detected = new Set(command.detections.map((d) => d.type));
  return (command.evaluatedTypes ?? []).flatMap((type) => {
    if (!isOpportunityType(type)) throw new InvalidCommandError('evaluatedTypes', `unknown opportunity type ${String(type)}`);
    const open = detected.has(type) ? undefined : openOpportunityOfType(state, type);
    return open ? closeOpportunityEvents(state, open, { outcome: 'expired', reason: 'rule_no_longer_fires', actionId: null, at }) : [];
  });
}

function sameDetection(open: Opportunity, d: Detection): boolean {
  return (
    open.source === d.source &&
    open.confidence === d.confidence &&
    open.ruleSetVersion === d.ruleSetVersion &&
    sameFacts(open.details, d.details) &&
    sameFacts(open.evidence, d.evidence)
  );
}

function sameFacts(a: Facts, b: Facts): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

function assertDetection(d: Detection, index: number): void {
  const at = `detections[${index}]`;
  if (typeof d !== 'object' || d === null) throw new InvalidCommandError(at, 'must be an object');
  if (!isOpportunityType(d.type)) throw new InvalidCommandError(`${at}.type`, `unknown opportunity type ${String(d.type)}`);
  requireId(`${at}.source`, d.source);
  requireId(`${at}.ruleSetVersion`, d.ruleSetVersion);
  if (typeof d.confidence !== 'number' || !(d.confidence >= 0 && d.confidence <= 1)) {
    throw new InvalidCommandError(`${at}.confidence`, `must be a number between 0 and 1, got ${String(d.confidence)}`);
  }
  assertFacts(`${at}.details`, d.details);
  assertFacts(`${at}.evidence`, d.evidence);
}

function assertFacts(field: string, facts: unknown): void {
  if (typeof facts !== 'object' || facts === null || Array.isArray(facts)) throw new InvalidCommandError(field, 'must be an object');
  for (const [key, value] of Object.entries(facts)) {
    const ok =
      value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) throw new InvalidCommandError(`${field}.${key}`, 'must be a string, finite number, boolean or null');
  }
}

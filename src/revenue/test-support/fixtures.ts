import type {
  ActionApproved,
  ActionExpired,
  ActionProposed,
  ActionRejected,
  ActionSent,
  OpportunityClosed,
  OpportunityDetected,
} from '../events.js';
import { actionTypeFor, defaultRuleSet } from '../rules/rule-set.js';
import type { UsageSummary } from '../rules/usage.js';
import type { Facts, OpportunityType } from '../types.js';
import { NOW } from './given-when-then.js';

/** Event builders for histories: only what a spec cares about is a parameter. */

export const ORG = 'org-1';
const DAY_MS = 24 * 60 * 60 * 1000;

/** ISO time `days` before the specs' NOW (fractions allowed). */
export function daysAgo(days: number): string {
  return new Date(NOW.getTime() - days * DAY_MS).toISOString();
}

export function opportunityDetected(p: {
  id: string;
  type: OpportunityType;
  confidence?: number;
  at?: string;
  details?: Facts;
  evidence?: Facts;
  source?: string;
}): OpportunityDetected {
  return {
    type: 'revenue.opportunity-detected.v1',
    data: {
      orgId: ORG,
      opportunityId: p.id,
      opportunityType: p.type,
      source: p.source ?? 'test',
      confidence: p.confidence ?? 0.8,
      details: p.details ?? {},
      evidence: p.evidence ?? {},
      ruleSetVersion: defaultRuleSet.version,
      detectedAt: p.at ?? daysAgo(30),
    },
  };
}

export function opportunityClosed(
  id: string,
  type: OpportunityType,
  outcome: OpportunityClosed['data']['outcome'],
  at = daysAgo(1),
): OpportunityClosed {
  return {
    type: 'revenue.opportunity-closed.v1',
    data: { orgId: ORG, opportunityId: id, opportunityType: type, outcome, reason: outcome, actionId: null, closedAt: at },
  };
}

export function actionProposed(p: {
  id: string;
  opportunityId: string;
  type?: OpportunityType;
  confidence?: number;
  at?: string;
  credits?: number;
}): ActionProposed {
  const type = p.type ?? 'upsell';
  return {
    type: 'revenue.action-proposed.v1',
    data: {
      orgId: ORG,
      actionId: p.id,
      opportunityId: p.opportunityId,
      opportunityType: type,
      actionType: actionTypeFor(defaultRuleSet, type),
      confidence: p.confidence ?? 0.8,
      creditsReserved: p.credits ?? 0.02,
      ruleSetVersion: defaultRuleSet.version,
      proposedAt: p.at ?? daysAgo(10),
    },
  };
}

export function actionApproved(id: string, opportunityId: string, at = daysAgo(9)): ActionApproved {
  return { type: 'revenue.action-approved.v1', data: { orgId: ORG, actionId: id, opportunityId, approvedAt: at } };
}

export function actionRejected(id: string, opportunityId: string, credits = 0.02, at = daysAgo(9)): ActionRejected {
  return {
    type: 'revenue.action-rejected.v1',
    data: { orgId: ORG, actionId: id, opportunityId, reason: 'no', creditsReleased: credits, rejectedAt: at },
  };
}

export function actionSent(id: string, opportunityId: string, credits = 0.02, at = daysAgo(8)): ActionSent {
  return { type: 'revenue.action-sent.v1', data: { orgId: ORG, actionId: id, opportunityId, creditsCharged: credits, sentAt: at } };
}

export function actionExpired(id: string, opportunityId: string, credits = 0.02, at = daysAgo(8)): ActionExpired {
  return {
    type: 'revenue.action-expired.v1',
    data: { orgId: ORG, actionId: id, opportunityId, reason: 'timed_out', creditsReleased: credits, expiredAt: at },
  };
}

export function usageSummary(
  p: {
    tier?: number | null;
    balance?: number | null;
    recent?: Partial<UsageSummary['recent']>;
    previous?: Partial<UsageSummary['previous']>;
  } = {},
): UsageSummary {
  return {
    orgId: ORG,
    tier: p.tier === undefined ? 1 : p.tier,
    balance: p.balance === undefined ? null : p.balance,
    recent: { textTokens: 0, voiceSeconds: 0, rows: 1, ...p.recent },
    previous: { textTokens: 0, voiceSeconds: 0, rows: 1, ...p.previous },
    asOf: NOW.toISOString(),
  };
}

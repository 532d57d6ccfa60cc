import type { Action, AuditEvent, Opportunity, PendingApproval } from '../types';

export const ORG = '185baeab-b085-41cf-b869-9899a3b76ab9';

export function opportunity(n: number, overrides: Partial<Opportunity> = {}): Opportunity {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    type: 'upsell',
    source: 'usage_analysis',
    confidence: 0.85,
    details: { tier: 1 },
    status: 'open',
    evidence: { seatsUsed: 48, seatLimit: 50 },
    ruleSetVersion: 'rules-2026-11',
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: null,
    closedAt: null,
    ...overrides,
  };
}

export const opportunityPage = (items: readonly Opportunity[], nextCursor: string | null) => ({
  success: true,
  opportunities: items,
  nextCursor,
});

export function action(opportunityId: string, overrides: Partial<Action> = {}): Action {
  return {
    id: 'a0000000-0000-4000-8000-000000000001',
    opportunityId,
    orgId: ORG,
    actionType: 'offer_upgrade',
    result: 'sent',
    status: 'sent',
    performedAt: '2026-11-28T11:00:00.000Z',
    updatedAt: '2026-11-28T12:00:00.000Z',
    creditsReserved: 0,
    creditsCharged: 0.02,
    reason: null,
    metadata: {},
    delivery: {
      channel: 'webhook',
      state: 'retrying',
      attempts: 3,
      lastError: 'HTTP 502',
      nextAttemptAt: '2026-11-28T12:05:00.000Z',
      deliveredAt: null,
    },
    ...overrides,
  };
}

export function auditEvent(revision: number, type: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: `e0000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
    type,
    revision: String(revision),
    position: `${100 + revision}-${100 + revision}`,
    occurredAt: '2026-11-28T10:00:00.000Z',
    actor: { kind: 'system', id: 'scheduler' },
    command: 'AnalyzeUsage',
    correlationId: 'c1',
    causationId: null,
    idempotencyKey: null,
    ruleSetVersion: 'rules-2026-11',
    data: {},
    ...overrides,
  };
}

export function approval(n: number, overrides: Partial<PendingApproval> = {}): PendingApproval {
  return {
    actionId: `b0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    orgId: ORG,
    orgName: `Demo org ${n}`,
    opportunityId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    opportunityType: 'upsell',
    actionType: 'offer_upgrade',
    confidence: 0.9,
    creditsReserved: 0.02,
    proposedAt: '2026-11-28T10:00:00.000Z',
    revision: String(10 + n),
    ...overrides,
  };
}

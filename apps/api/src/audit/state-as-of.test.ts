import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '#event-store';
import type { RevenueEvent } from '#revenue';
import { actionApproved, actionProposed, opportunityDetected } from '#revenue/testing';
import { isAbout, toAuditEvent } from '#runtime';
import { opportunityIn, replayTo } from './state-as-of.js';

const OPP = 'opp-1';
const OTHER = 'opp-2';

/** A stored history: event i at revision i, occurring on day i of January. */
function history(events: RevenueEvent[]): RecordedEvent[] {
  return events.map((event, i) => ({
    ...event,
    streamName: 'revenue-org-org-1',
    streamRevision: BigInt(i),
    position: { commit: 100n + BigInt(i), prepare: 7n },
    metadata: {
      eventId: `e${i}`,
      correlationId: 'c1',
      causationId: null,
      actor: { kind: 'user', id: 'u1' },
      occurredAt: `2026-01-0${i + 1}T00:00:00.000Z`,
      command: 'RunFullAnalysis',
      ruleSetVersion: 'rules-1',
    },
  }));
}

const events = history([
  opportunityDetected({ id: OPP, type: 'upsell', evidence: { monthlyTokens: 60_000 } }),
  actionProposed({ id: 'a1', opportunityId: OPP }),
  opportunityDetected({ id: OTHER, type: 'cross_sell' }),
  actionApproved('a1', OPP),
]);

describe('replaying an org stream for audit', () => {
  it('as of a revision: the action is proposed before the approval and approved from it on', () => {
    expect(opportunityIn(replayTo(events, { revision: 2n }).state, OPP)?.actions.map((a) => a.status)).toEqual(['proposed']);
    expect(opportunityIn(replayTo(events, { revision: 3n }).state, OPP)?.actions.map((a) => a.status)).toEqual(['approved']);
    expect(replayTo(events, { revision: 2n }).revision).toBe(2n);
  });

  it('as of a time: inclusive of events at that instant, and null before the opportunity existed', () => {
    expect(replayTo(events, { asOf: new Date('2026-01-02T00:00:00.000Z') }).revision).toBe(1n);
    expect(opportunityIn(replayTo(events, { asOf: new Date('2026-01-03T12:00:00Z') }).state, OTHER)?.opportunity.type).toBe('cross_sell');
    expect(opportunityIn(replayTo(events, { asOf: new Date('2026-01-02T00:00:00Z') }).state, OTHER)).toBeNull();
    expect(replayTo(events, { asOf: new Date('2025-12-31T00:00:00Z') })).toEqual({
      state: expect.objectContaining({ orgId: null }),
      revision: null,
    });
  });

  it('stops at the first later event even if a following one carries an earlier time (history is a prefix)', () => {
    const skewed = events.map((e, i) => (i === 3 ? { ...e, metadata: { ...e.metadata, occurredAt: '2026-01-01T00:00:00.000Z' } } : e));
    const replay = replayTo(skewed, { asOf: new Date('2026-01-02T00:00:00.000Z') });
    expect(replay.revision).toBe(1n);
    expect(opportunityIn(replay.state, OPP)?.actions.map((a) => a.status)).toEqual(['proposed']);
  });

  it('the latest state folds everything', () => {
    expect(replayTo(events, { latest: true }).revision).toBe(3n);
  });
});

describe('audit event view', () => {
  it('keeps metadata and data, with revision and position as text', () => {
    expect(toAuditEvent(events[0]!)).toEqual({
      eventId: 'e0',
      type: 'revenue.opportunity-detected.v1',
      revision: '0',
      position: '100-7',
      occurredAt: '2026-01-01T00:00:00.000Z',
      actor: { kind: 'user', id: 'u1' },
      command: 'RunFullAnalysis',
      correlationId: 'c1',
      causationId: null,
      idempotencyKey: null,
      ruleSetVersion: 'rules-1',
      keyFields: expect.objectContaining({ opportunityId: OPP }),
      data: expect.objectContaining({ opportunityId: OPP, evidence: { monthlyTokens: 60_000 } }),
    });
  });

  it('selects the events about one opportunity: its own and its actions', () => {
    expect(events.filter((e) => isAbout(OPP, e)).map((e) => e.streamRevision)).toEqual([0n, 1n, 3n]);
    expect(isAbout(OPP, { data: null })).toBe(false);
  });
});

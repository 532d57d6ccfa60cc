import { describe, expect, it } from '@jest/globals';
import { InvalidCommandError, OrgMismatchError } from '../errors.js';
import { detectUpsell, type Detection } from '../rules/detect.js';
import { ORG, opportunityClosed, opportunityDetected, usageSummary } from '../test-support/fixtures.js';
import { given, NOW } from '../test-support/given-when-then.js';

const at = NOW.toISOString();
const upsell = detectUpsell(usageSummary({ tier: 2, recent: { textTokens: 60_000 } })) as Detection;
const openUpsell = opportunityDetected({ id: 'opp-1', ...upsell });
const record = (...detections: Detection[]) => ({ kind: 'RecordDetections', orgId: ORG, detections }) as const;
const facts = (d: Detection) => ({
  orgId: ORG,
  opportunityType: d.type,
  source: d.source,
  confidence: d.confidence,
  details: d.details,
  evidence: d.evidence,
  ruleSetVersion: d.ruleSetVersion,
});

describe('RecordDetections', () => {
  it('opens an opportunity for a type the org has none open of, with the id the context gives', () => {
    given([])
      .when(record(upsell))
      .thenEvents([
        { type: 'revenue.opportunity-detected.v1', data: { ...facts(upsell), opportunityId: 'id:opportunity:upsell', detectedAt: at } },
      ]);
  });

  it('closes as expired an open opportunity of an evaluated type that was not detected again', () => {
    given([openUpsell])
      .when({ ...record(), evaluatedTypes: ['upsell', 'cross_sell'] })
      .thenEvents([
        {
          type: 'revenue.opportunity-closed.v1',
          data: {
            orgId: ORG,
            opportunityId: 'opp-1',
            opportunityType: 'upsell',
            outcome: 'expired',
            reason: 'rule_no_longer_fires',
            actionId: null,
            closedAt: at,
          },
        },
      ]);
  });

  it('leaves open opportunities of types that were not evaluated, or were detected again', () => {
    given([openUpsell])
      .when({ ...record(), evaluatedTypes: ['cross_sell'] })
      .thenNothing();
    given([openUpsell])
      .when({ ...record(upsell), evaluatedTypes: ['upsell'] })
      .thenNothing();
  });

  it('records nothing when the open opportunity already has exactly these numbers', () => {
    given([openUpsell]).when(record(upsell)).thenNothing();
  });

  it('refreshes the open opportunity of that type instead of opening a second one', () => {
    const grown = detectUpsell(usageSummary({ tier: 2, recent: { textTokens: 90_000 } })) as Detection;
    const state = given([openUpsell])
      .when(record(grown))
      .thenEvents([{ type: 'revenue.opportunity-refreshed.v1', data: { ...facts(grown), opportunityId: 'opp-1', refreshedAt: at } }]);
    expect(Object.keys(state.opportunities)).toEqual(['opp-1']);
    expect(state.opportunities['opp-1']?.evidence['textTokens']).toBe(90_000);
  });

  it('treats a changed rule set version as new evidence', () => {
    const events = given([openUpsell])
      .when(record({ ...upsell, ruleSetVersion: 'next' }))
      .events();
    expect(events.map((e) => e.type)).toEqual(['revenue.opportunity-refreshed.v1']);
  });

  it('opens a new opportunity once the previous one of that type is closed', () => {
    const state = given([openUpsell, opportunityClosed('opp-1', 'upsell', 'lost')])
      .when(record(upsell))
      .thenEvents([
        { type: 'revenue.opportunity-detected.v1', data: { ...facts(upsell), opportunityId: 'id:opportunity:upsell', detectedAt: at } },
      ]);
    expect(state.openOpportunityByType.upsell).toBe('id:opportunity:upsell');
  });

  it('keeps one open opportunity when a command repeats a type', () => {
    const grown = { ...upsell, evidence: { ...upsell.evidence, textTokens: 70_000 } };
    const events = given([])
      .when(record(upsell, upsell, grown))
      .events();
    expect(events.map((e) => [e.type, 'opportunityId' in e.data ? e.data.opportunityId : null])).toEqual([
      ['revenue.opportunity-detected.v1', 'id:opportunity:upsell'],
      ['revenue.opportunity-refreshed.v1', 'id:opportunity:upsell'],
    ]);
  });

  it('opens one opportunity per type', () => {
    const churn: Detection = {
      type: 'retention_intervention',
      source: 'usage_decline',
      confidence: 0.9,
      details: {},
      evidence: {},
      ruleSetVersion: 'v',
    };
    const state = given([openUpsell])
      .when(record(upsell, churn))
      .thenEvents([
        {
          type: 'revenue.opportunity-detected.v1',
          data: { ...facts(churn), opportunityId: 'id:opportunity:retention_intervention', detectedAt: at },
        },
      ]);
    expect(state.openOpportunityByType).toEqual({ upsell: 'opp-1', retention_intervention: 'id:opportunity:retention_intervention' });
  });

  it('records nothing for an empty list', () => {
    given([openUpsell]).when(record()).thenNothing();
  });

  it.each([
    ['an unknown type', { ...upsell, type: 'bogus' }, /detections\[0\]\.type/],
    ['a confidence above 1', { ...upsell, confidence: 1.5 }, /detections\[0\]\.confidence/],
    ['a NaN confidence', { ...upsell, confidence: Number.NaN }, /confidence/],
    ['a nested detail', { ...upsell, details: { tier: { n: 1 } } }, /detections\[0\]\.details\.tier/],
    ['missing evidence', { ...upsell, evidence: null }, /detections\[0\]\.evidence/],
    ['an empty source', { ...upsell, source: ' ' }, /detections\[0\]\.source/],
  ])('refuses a detection with %s', (_label, detection, message) => {
    given([])
      .when(record(detection as Detection))
      .thenError(InvalidCommandError, 'invalid_command', message);
  });

  it("refuses detections for another org than the stream's", () => {
    given([openUpsell])
      .when({ ...record(upsell), orgId: 'org-2' })
      .thenError(OrgMismatchError, 'org_mismatch', /org-2/);
  });
});

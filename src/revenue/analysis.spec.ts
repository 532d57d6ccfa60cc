import { describe, expect, it } from '@jest/globals';
import { summarizeAnalysis } from './analysis.js';
import type { TriggerActions } from './commands.js';
import { decide } from './decide/decide.js';
import { detectAll } from './rules/detect.js';
import { foldEvents } from './state.js';
import { ORG, usageSummary } from './test-support/fixtures.js';
import { testContext } from './test-support/given-when-then.js';

/** A full analysis the way the handler runs it: detect, record, trigger, then summarize. */
function analyse(
  history: Parameters<typeof foldEvents>[0],
  usage = usageSummary({ tier: 1, balance: 10, previous: { textTokens: 300_000 }, recent: { textTokens: 60_000 } }),
) {
  const detections = detectAll(usage);
  const before = foldEvents(history);
  const recorded = decide({ kind: 'RecordDetections', orgId: ORG, detections }, before, testContext());
  const trigger: TriggerActions = { kind: 'TriggerActions', orgId: ORG, availableCredits: 1 };
  const triggered = decide(trigger, foldEvents(recorded, before), testContext());
  const events = [...recorded, ...triggered];
  return { events, summary: summarizeAnalysis({ detections, events, state: foldEvents(triggered, foldEvents(recorded, before)) }) };
}

describe('summarizeAnalysis (the spec response of a full analysis)', () => {
  it('counts upsells and churn risks found, actions proposed, and the potential MRR', () => {
    const { summary } = analyse([]);
    // upsell 0.85, churn 0.9, cross_sell 0.75, credit offer 0.8 (10 credits at 2 a day) are all proposed;
    // MRR counts only upsell and cross_sell: 15 x 0.85 + 10 x 0.75.
    expect(summary).toEqual({ upsellOpportunities: 1, churnRisks: 1, actionsTriggered: 4, potentialMRR: 20.25 });
  });

  it('still counts an opportunity found again with unchanged numbers, and proposes nothing twice', () => {
    const first = analyse([]);
    const second = analyse(first.events);
    expect(second.events).toEqual([]);
    expect(second.summary).toEqual({ upsellOpportunities: 1, churnRisks: 1, actionsTriggered: 0, potentialMRR: 20.25 });
  });

  it('reports zeros for a quiet org', () => {
    expect(analyse([], usageSummary()).summary).toEqual({ upsellOpportunities: 0, churnRisks: 0, actionsTriggered: 0, potentialMRR: 0 });
  });
});

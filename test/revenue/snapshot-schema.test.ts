import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { projectRoot } from '#database';
import { REVENUE_STATE_SCHEMA } from '#revenue-commands';
import {
  decide,
  evolve,
  holdoutBucket,
  holdoutRuleSet,
  initialState,
  type DecideContext,
  type RevenueAccountState,
  type RevenueCommand,
} from '#revenue';

/**
 * Snapshots store RevenueAccountState as JSON under REVENUE_STATE_SCHEMA. If the fold changes
 * (a field, a rule of evolve), states folded by older code must not be read as the new shape:
 * this reference fold is kept per schema, so changing the fold fails here until the schema is
 * bumped and the reference written again (UPDATE_STATE_REFERENCE=1 writes it; review the diff).
 */
const reference = join(projectRoot(), 'test', 'revenue', 'fixtures', `${REVENUE_STATE_SCHEMA.replace('/', '-')}.json`);
const DAY = 86_400_000;
const start = new Date('2026-01-05T10:00:00.000Z');

/** Every kind of event the fold knows, through the domain's own decisions. */
function referenceFold(): RevenueAccountState {
  const orgId = (() => {
    for (let n = 1; ; n++) {
      const id = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
      const up = holdoutBucket(id, holdoutRuleSet.holdouts!.upsell!.experimentId) >= 0.1;
      const cross = holdoutBucket(id, holdoutRuleSet.holdouts!.cross_sell!.experimentId) < 0.1;
      if (up && cross) return id; // upsell treated, cross-sell held out
    }
  })();
  let state = initialState;
  let ids = 0;
  const run = (command: RevenueCommand, at: Date) => {
    const ctx: DecideContext = {
      now: at,
      ruleSet: holdoutRuleSet,
      newId: () => `00000000-0000-4000-9000-${(++ids).toString().padStart(12, '0')}`,
    };
    for (const event of decide(command, state, ctx)) state = evolve(state, event);
  };
  const detection = (type: 'upsell' | 'cross_sell' | 'retention_intervention', confidence: number) => ({
    type,
    source: 'reference',
    confidence,
    details: { currentTier: 1, previousPeriod: 10_000, currentPeriod: 2_000 },
    evidence: { textTokens: 60_000 },
    ruleSetVersion: holdoutRuleSet.version,
  });
  run({ kind: 'RecordDetections', orgId, detections: [detection('upsell', 0.85), detection('cross_sell', 0.75)] }, start);
  run({ kind: 'TriggerActions', orgId, availableCredits: 1 }, start);
  const action = Object.values(state.actions)[0]!.id;
  run({ kind: 'ApproveAction', orgId, actionId: action }, new Date(start.getTime() + 3_600_000));
  run({ kind: 'RecordActionDispatch', orgId, actionId: action, result: 'sent' }, new Date(start.getTime() + 7_200_000));
  run({ kind: 'RecordActionOutcome', orgId, actionId: action, outcome: 'accepted' }, new Date(start.getTime() + 2 * DAY));
  run(
    { kind: 'RecordDetections', orgId, detections: [detection('retention_intervention', 0.9)], evaluatedTypes: ['cross_sell'] },
    new Date(start.getTime() + 3 * DAY),
  );
  run({ kind: 'TriggerActions', orgId, availableCredits: 0 }, new Date(start.getTime() + 3 * DAY));
  run({ kind: 'TriggerActions', orgId, availableCredits: 1 }, new Date(start.getTime() + 4 * DAY));
  const retention = Object.values(state.actions).find((a) => a.status === 'proposed')!.id;
  run({ kind: 'RejectAction', orgId, actionId: retention, reason: 'not now' }, new Date(start.getTime() + 5 * DAY));
  const window = (days: number) => ({ windowStart: start.toISOString(), windowEnd: new Date(start.getTime() + days * DAY).toISOString() });
  const facts = { tierAtStart: 1, tierAtEnd: 2, textTokens: 0, voiceSeconds: 0, creditPurchases: 0, creditPurchaseAmount: 0 };
  const opportunities = Object.values(state.opportunities).filter((o) => o.detectedAt === start.toISOString());
  run(
    {
      kind: 'ObserveOutcomes',
      orgId,
      observations: opportunities.map((o) => ({ opportunityId: o.id, facts: { ...window(30), ...facts } })),
    },
    new Date(start.getTime() + 31 * DAY),
  );
  return state;
}

describe('the snapshot schema of RevenueAccountState', () => {
  it(`folds the reference history to ${reference.split('/').slice(-3).join('/')}: a changed fold needs a new REVENUE_STATE_SCHEMA`, () => {
    const folded = JSON.parse(JSON.stringify(referenceFold())) as unknown;
    if (process.env['UPDATE_STATE_REFERENCE'] === '1') writeFileSync(reference, `${JSON.stringify(folded, null, 2)}\n`);
    expect(existsSync(reference)).toBe(true);
    expect(folded).toEqual(JSON.parse(readFileSync(reference, 'utf8')));
  });

  it('the reference uses the parts of the state snapshots must keep (arms of both kinds, observations, action ends, credits)', () => {
    const state = referenceFold();
    expect(new Set(Object.values(state.arms))).toEqual(new Set(['control', 'treatment']));
    expect(Object.values(state.opportunities).filter((o) => o.observation).length).toBe(2);
    expect(new Set(Object.values(state.actions).map((a) => a.status))).toEqual(new Set(['accepted', 'rejected']));
    expect(state.creditsCharged).toBe(0.02);
  });
});

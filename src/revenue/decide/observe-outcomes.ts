import type { DecideContext, ObserveOutcomes } from '../commands.js';
import { defaultObservationConfig, observationWindow, observeOutcome, type ObservationFacts } from '../effect/observe.js';
import { InvalidCommandError } from '../errors.js';
import type { RevenueEvent } from '../events.js';
import { evolve, type RevenueAccountState } from '../state.js';
import { assertOrg, requireOpportunity, timestamp } from './guards.js';

/**
 * Records what each listed opportunity's observation window showed. Idempotent: an opportunity
 * already observed records nothing again. Refused: an opportunity whose window has not closed yet,
 * or facts read for another window than the opportunity's (the reader and the rule disagree).
 */
export function decideObserveOutcomes(command: ObserveOutcomes, state: RevenueAccountState, context: DecideContext): RevenueEvent[] {
  const orgId = assertOrg(state, command.orgId);
  if (!Array.isArray(command.observations)) throw new InvalidCommandError('observations', 'must be an array');
  const config = context.observation ?? defaultObservationConfig;
  const at = timestamp(context);
  const events: RevenueEvent[] = [];
  let current = state;
  command.observations.forEach((item: unknown, index) => {
    const field = `observations[${index}]`;
    if (typeof item !== 'object' || item === null) throw new InvalidCommandError(field, 'must be an object');
    const { opportunityId, facts } = item as ObserveOutcomes['observations'][number];
    const opportunity = requireOpportunity(current, opportunityId);
    if (opportunity.observation) return;
    const window = observationWindow(opportunity, config);
    if (Date.parse(window.end) > context.now.getTime()) {
      throw new InvalidCommandError(`${field}.opportunityId`, `its observation window is open until ${window.end}`);
    }
    assertFacts(`${field}.facts`, facts, window);
    const outcome = observeOutcome(opportunity, facts, config, context.ruleSet);
    const event: RevenueEvent = {
      type: 'revenue.outcome-observed.v1',
      data: {
        orgId,
        opportunityId: opportunity.id,
        opportunityType: opportunity.type,
        experimentId: opportunity.experiment?.experimentId ?? null,
        arm: opportunity.experiment?.arm ?? null,
        windowStart: window.start,
        windowEnd: window.end,
        ...outcome,
        observedAt: at,
      },
    };
    events.push(event);
    current = evolve(current, event);
  });
  return events;
}

function assertFacts(field: string, facts: ObservationFacts, window: { start: string; end: string }): void {
  if (typeof facts !== 'object' || facts === null) throw new InvalidCommandError(field, 'must be an object');
  if (facts.windowStart !== window.start || facts.windowEnd !== window.end) {
    throw new InvalidCommandError(field, `read for ${facts.windowStart}..${facts.windowEnd}, the window is ${window.start}..${window.end}`);
  }
  for (const key of ['textTokens', 'voiceSeconds', 'creditPurchases', 'creditPurchaseAmount'] as const) {
    const value = facts[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidCommandError(`${field}.${key}`, `must be a finite number >= 0, got ${String(value)}`);
    }
  }
  for (const key of ['tierAtStart', 'tierAtEnd'] as const) {
    const value = facts[key];
    if (value !== null && !(Number.isInteger(value) && value >= 1)) {
      throw new InvalidCommandError(`${field}.${key}`, `must be an integer >= 1 or null, got ${String(value)}`);
    }
  }
}

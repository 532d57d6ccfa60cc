import { expect } from '@jest/globals';
import type { DecideContext, RevenueCommand } from '../commands.js';
import { decide } from '../decide/decide.js';
import type { DomainError } from '../errors.js';
import type { RevenueEvent } from '../events.js';
import { defaultRuleSet } from '../rules/rule-set.js';
import { evolve, foldEvents, type RevenueAccountState } from '../state.js';

/** given(history).when(command).thenEvents([...]) | .thenNothing() | .thenError(ErrorClass, code) */

export const NOW = new Date('2025-11-21T12:00:00.000Z');

/** Ids are `id:<key>`, so a spec can name the id a decision will use. */
export function testContext(overrides: Partial<DecideContext> = {}): DecideContext {
  return { now: NOW, newId: (key) => `id:${key}`, ruleSet: defaultRuleSet, ...overrides };
}

type ErrorClass = abstract new (...args: never[]) => DomainError;

export function given(history: readonly RevenueEvent[]) {
  const state = foldEvents(history);
  return {
    state,
    when(command: RevenueCommand, context: DecideContext = testContext()) {
      const run = () => decide(command, state, context);
      return {
        thenEvents(expected: readonly RevenueEvent[]): RevenueAccountState {
          const events = run();
          expect(events).toEqual(expected);
          return events.reduce(evolve, state);
        },
        thenNothing(): void {
          expect(run()).toEqual([]);
        },
        thenError(type: ErrorClass, code: DomainError['code'], message?: string | RegExp): void {
          let thrown: unknown = null;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(type);
          expect((thrown as DomainError).code).toBe(code);
          if (message !== undefined) expect((thrown as DomainError).message).toMatch(message);
        },
        /** The events, for specs that assert on a part of them. */
        events(): RevenueEvent[] {
          return run();
        },
      };
    },
  };
}

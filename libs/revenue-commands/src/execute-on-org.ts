import { randomUUID } from 'node:crypto';
import { decideOnStream, formatPosition, type Fold } from '#event-store';
import { evolve, initialState, revenueStreamName, type DecideContext, type RevenueAccountState, type RevenueEvent } from '#revenue';
import type { CommandMeta, RevenueDeps } from './revenue-deps.js';

export const revenueFold: Fold<RevenueAccountState, RevenueEvent> = { initialState, evolve };

/** What every revenue command returns: what happened, and the position to wait for before reading. */
export interface RevenueCommandResult {
  readonly orgId: string;
  readonly events: readonly RevenueEvent[];
  readonly state: RevenueAccountState;
  /** `<commit>-<prepare>` of the last event written; null when the command changed nothing. */
  readonly position: string | null;
  /** Revision of the org stream after the command (null: the stream does not exist). */
  readonly revision: string | null;
}

/**
 * The one path every org command takes: load the org's stream, fold, run the pure decision,
 * append with the expected revision; a conflict re-decides on fresh state.
 */
export async function executeOnOrg(
  deps: RevenueDeps,
  orgId: string,
  command: string,
  meta: CommandMeta,
  decision: (state: RevenueAccountState, ctx: DecideContext) => RevenueEvent[] | Promise<RevenueEvent[]>,
): Promise<RevenueCommandResult> {
  const started = performance.now();
  const observe = (outcome: 'ok' | 'error', eventsAppended: number) =>
    deps.observe?.({ command, durationMs: performance.now() - started, eventsAppended, outcome });
  const now = deps.clock.now();
  const decideCtx: DecideContext = { now, ruleSet: deps.ruleSet, newId: () => randomUUID() };
  const result = await decideOnStream(
    deps.store,
    revenueStreamName(orgId),
    revenueFold,
    (state) => decision(state, decideCtx),
    {
      command,
      actor: meta.actor,
      correlationId: meta.correlationId,
      causationId: meta.causationId ?? null,
      ...(meta.idempotencyKey ? { idempotencyKey: meta.idempotencyKey } : {}),
      ruleSetVersion: deps.ruleSet.version,
      now,
    },
    meta.expectedRevision === undefined ? {} : { expectedRevision: meta.expectedRevision },
  ).catch((error: unknown) => {
    observe('error', 0);
    throw error;
  });
  observe('ok', result.appended ? result.events.length : 0);
  return {
    orgId,
    events: result.events,
    state: result.state,
    position: result.appended ? formatPosition(result.appended.position) : null,
    revision: result.revision === 'no_stream' ? null : result.revision.toString(),
  };
}

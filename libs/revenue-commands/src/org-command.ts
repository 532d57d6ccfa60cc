import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideOnStream,
  decideOnStreams,
  formatPosition,
  type AppendContext,
  type Decision,
  type Fold,
  type SnapshotPolicy,
} from '#event-store';
import {
  decide,
  evolve,
  initialState,
  revenueStreamName,
  type DecideContext,
  type LifecycleCommand,
  type RevenueAccountState,
  type RevenueEvent,
} from '#revenue';
import { REVENUE_DEPS, type CommandMeta, type RevenueDeps } from './revenue-deps.js';

export const revenueFold: Fold<RevenueAccountState, RevenueEvent> = { initialState, evolve };

/**
 * The snapshot schema of RevenueAccountState: bump it whenever the state's shape or evolve's
 * rules change (test/revenue/snapshot-schema.test.ts fails until the reference fold is updated
 * with it), so snapshots taken by older code are ignored rather than misread.
 */
export const REVENUE_STATE_SCHEMA = 'revenue-account-state/3';
/** A command that folded this many events after the org's snapshot takes a new one. */
export const REVENUE_SNAPSHOT_EVERY = 100;

function snapshotPolicy(deps: RevenueDeps): { snapshots?: SnapshotPolicy } {
  return deps.snapshots ? { snapshots: { store: deps.snapshots, schema: REVENUE_STATE_SCHEMA, every: REVENUE_SNAPSHOT_EVERY } } : {};
}

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
 * A domain command that needs nothing but the org's own history (approve, reject, record a
 * dispatch or an outcome, expire an action, close an opportunity), on the CommandBus. One class
 * and one handler for all of them: the domain's `decide` routes by `kind`. The event metadata
 * records `kind` as the command name.
 */
export class OrgCommand extends Command<RevenueCommandResult> {
  constructor(
    readonly command: LifecycleCommand,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

@CommandHandler(OrgCommand)
export class OrgCommandHandler implements ICommandHandler<OrgCommand, RevenueCommandResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  execute({ command, meta }: OrgCommand): Promise<RevenueCommandResult> {
    return executeOnOrg(this.deps, command.orgId, command.kind, meta, (state, ctx) => decide(command, state, ctx));
  }
}

/**
 * The one path every org command takes: load the org's stream, fold, run the decision, append
 * with the expected revision; a conflict re-decides on fresh state. `decision` may first gather
 * an input for the state it is given (the trigger decision reads the org's credits).
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
  const decideCtx = decideContextOf(deps, now);
  const result = await decideOnStream(
    deps.store,
    revenueStreamName(orgId),
    revenueFold,
    (state) => decision(state, decideCtx),
    appendContextOf(deps, command, meta, now),
    { ...snapshotPolicy(deps), ...(meta.expectedRevision === undefined ? {} : { expectedRevision: meta.expectedRevision }) },
  ).catch((error: unknown) => {
    observe('error', 0);
    throw error;
  });
  observe('ok', result.appended ? result.events.length : 0);
  return resultOf(orgId, result);
}

/**
 * executeOnOrg for many orgs of one batch job (the observer, a backfill): one synchronous
 * decision per org, the streams read a few at a time and appended in one appendMany
 * (decideOnStreams); an org another writer touched meanwhile is decided again alone.
 */
export async function executeOnOrgs(
  deps: RevenueDeps,
  decisions: ReadonlyMap<string, (state: RevenueAccountState, ctx: DecideContext) => RevenueEvent[]>,
  command: string,
  meta: CommandMeta,
): Promise<RevenueCommandResult[]> {
  const now = deps.clock.now();
  const decideCtx = decideContextOf(deps, now);
  const orgIds = [...decisions.keys()];
  const results = await decideOnStreams(
    deps.store,
    revenueFold,
    orgIds.map((orgId) => ({ streamName: revenueStreamName(orgId), decide: (state) => decisions.get(orgId)!(state, decideCtx) })),
    appendContextOf(deps, command, meta, now),
    snapshotPolicy(deps),
  );
  return results.map((result, i) => resultOf(orgIds[i]!, result));
}

function decideContextOf(deps: RevenueDeps, now: Date): DecideContext {
  return {
    now,
    ruleSet: deps.ruleSet,
    newId: () => randomUUID(),
    ...(deps.channels ? { channels: deps.channels } : {}),
    ...(deps.observation ? { observation: deps.observation } : {}),
  };
}

function appendContextOf(deps: RevenueDeps, command: string, meta: CommandMeta, now: Date): AppendContext {
  return {
    command,
    actor: meta.actor,
    correlationId: meta.correlationId,
    causationId: meta.causationId ?? null,
    ...(meta.idempotencyKey ? { idempotencyKey: meta.idempotencyKey } : {}),
    ruleSetVersion: deps.ruleSet.version,
    now,
  };
}

function resultOf(orgId: string, result: Decision<RevenueAccountState, RevenueEvent>): RevenueCommandResult {
  return {
    orgId,
    events: result.events,
    state: result.state,
    position: result.appended ? formatPosition(result.appended.position) : null,
    revision: result.revision === 'no_stream' ? null : result.revision.toString(),
  };
}

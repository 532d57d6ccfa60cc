import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  comparePositions,
  WrongExpectedRevisionError,
  withMetadata,
  type AppendContext,
  type EventStore,
  type LogPosition,
} from '#event-store';
import type { ProjectionLogger } from '#projection-runner';
import { DEFAULT_FULL_SWEEP_EVERY_MS, SweepFleet, SweepFleetHandler, type CommandMeta, type RevenueDeps } from '#revenue-commands';
import {
  SCHEDULER_EVENT_TYPES,
  SCHEDULER_MAX_ERRORS,
  schedulerRunStreamName,
  type SchedulerRunFinished,
  type SchedulerRunOutcome,
  type SchedulerRunStarted,
} from '#read-models';
import { observeOutcomes } from '../effect/observe-outcomes.js';
import { expireStaleProposals } from './expire-stale-proposals.js';
import { tryLead, type Leadership } from './leader-lock.js';
import { nextRunDue, runsFromHistory, type LastRun } from './schedule.js';

/** The counts a run's sweep step reports (SweepResult has them). */
export interface SweepCounts {
  readonly orgs: number;
  readonly detections: number;
  readonly actionsProposed: number;
}

export interface SchedulerOptions {
  /** The command dependencies (runtime.deps): event store, pool, injected clock, rule set. */
  readonly deps: RevenueDeps;
  /** Between run starts (a run longer than this delays the next). */
  readonly intervalMs: number;
  /** Proposed actions older than this (by performed_at) expire in each run. */
  readonly proposalMaxAgeMs: number;
  /**
   * The sweep is incremental (only the orgs whose inputs changed since the last run); every org
   * is decided again at least this often (default 24 h of the injected clock).
   */
  readonly fullSweepEveryMs?: number;
  readonly logger?: ProjectionLogger;
  /** Recorded on each run this instance leads (default: a random UUID). */
  readonly instanceId?: string;
  /** How often the loop looks at the clock (default 1000 ms); tests with a moved clock use a few ms. */
  readonly tickMs?: number;
  /** How often a non-leader tries the lock again (default 5000 ms). */
  readonly leaderRetryMs?: number;
  /** The leader's heartbeat on its lock session (default 5000 ms): a dead session ends leadership. */
  readonly heartbeatMs?: number;
  /** Told of every run this instance finished (after it is recorded): `npm start` reports the demo's first run. */
  readonly onRunFinished?: (run: SchedulerRunFinished['data']) => void;
  /** The sweep step (default: SweepFleetHandler over deps). Tests inject a slow one. */
  readonly sweep?: (meta: CommandMeta) => Promise<SweepCounts>;
}

/** A started scheduler. */
export interface Scheduler {
  readonly instanceId: string;
  /** True while this instance holds the lock. */
  isLeader(): boolean;
  /** Ends the loop: waits for an in-flight run to be recorded (at most `timeoutMs`, default 30 s), then releases the lock. */
  stop(timeoutMs?: number): Promise<void>;
}

const ACTOR = { kind: 'system', id: 'scheduler' } as const;
const COMMAND = 'ScheduledRun';
const MAX_ERROR_LENGTH = 300;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH);

/** The sweep step of a run: the incremental fleet sweep (detection, then proposals), a full one when due. */
const defaultSweep =
  (deps: RevenueDeps, fullEveryMs: number) =>
  (meta: CommandMeta): Promise<SweepCounts> =>
    new SweepFleetHandler(deps).execute(new SweepFleet(meta, undefined, undefined, { fullEveryMs }));

/**
 * Starts the autonomous loop (each run: sweep, expiry of stale proposals, observation of outcomes). Every instance runs one; only the holder of the advisory lock
 * (leader-lock.ts) runs anything, so N workers make one schedule. The leader looks at the
 * injected clock every `tickMs` and starts a run when nextRunDue says so; the loop awaits the
 * run, so runs never overlap. Each run is a stream of its own (run-started, run-finished),
 * which is both the audit record and what a new leader continues the schedule from.
 */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const { deps, intervalMs, proposalMaxAgeMs } = options;
  if (!(intervalMs > 0) || !(proposalMaxAgeMs > 0)) throw new RangeError('intervalMs and proposalMaxAgeMs must be positive');
  const instanceId = options.instanceId ?? randomUUID();
  const tickMs = options.tickMs ?? 1_000;
  const leaderRetryMs = options.leaderRetryMs ?? 5_000;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const sweep = options.sweep ?? defaultSweep(deps, options.fullSweepEveryMs ?? DEFAULT_FULL_SWEEP_EVERY_MS);
  const log = options.logger;
  const stopping = new AbortController();
  let leadership: Leadership | null = null;
  let last: LastRun | null = null;
  let nextLockAttempt = 0;

  async function takeLead(): Promise<void> {
    nextLockAttempt = Date.now() + leaderRetryMs;
    const won = await tryLead(deps.pool, { heartbeatMs });
    if (!won) return;
    try {
      last = await continueSchedule(deps.store, instanceId, deps.clock.now(), log);
      leadership = won;
      log?.info({ instanceId, lastRunStartedAt: last?.startedAt.toISOString() ?? null }, 'scheduler leads');
    } catch (error) {
      await won.release();
      throw error;
    }
  }

  async function step(): Promise<void> {
    if (leadership?.lost.aborted) {
      log?.warn({ instanceId, reason: messageOf(leadership.lost.reason) }, 'scheduler lost its lock session: no longer leads');
      leadership = null;
      last = null;
    }
    if (!leadership) {
      if (Date.now() >= nextLockAttempt) await takeLead();
      return;
    }
    const now = deps.clock.now();
    const due = nextRunDue(last, intervalMs, now);
    if (now.getTime() >= due.getTime()) last = await run(due);
  }

  async function run(scheduledFor: Date): Promise<LastRun> {
    const runId = randomUUID();
    const stream = schedulerRunStreamName(runId);
    const startedAt = deps.clock.now();
    const context: AppendContext = { command: COMMAND, actor: ACTOR, correlationId: runId, causationId: null, now: startedAt };
    const start: SchedulerRunStarted = {
      type: SCHEDULER_EVENT_TYPES.runStarted,
      data: { runId, instanceId, scheduledFor: scheduledFor.toISOString(), startedAt: startedAt.toISOString() },
    };
    const [startEvent] = withMetadata([start], context);
    await deps.store.append(stream, [startEvent!], 'no_stream');
    log?.info({ runId, instanceId, scheduledFor: start.data.scheduledFor }, 'scheduled run started');

    const meta: CommandMeta = { actor: ACTOR, correlationId: runId, causationId: startEvent!.metadata.eventId };
    const errors: string[] = [];
    let counts = { orgs: 0, detections: 0, actionsProposed: 0, actionsExpired: 0 };
    try {
      const swept = await sweep(meta);
      counts = { ...counts, orgs: swept.orgs, detections: swept.detections, actionsProposed: swept.actionsProposed };
    } catch (error) {
      errors.push(`sweep: ${messageOf(error)}`);
    }
    try {
      const expiry = await expireStaleProposals(deps, { maxAgeMs: proposalMaxAgeMs, meta });
      counts = { ...counts, actionsExpired: expiry.expired };
      errors.push(...expiry.errors.map(messageOf));
    } catch (error) {
      errors.push(`expiry: ${messageOf(error)}`);
    }
    // Outcomes of both arms, once each opportunity's observation window has closed. The count
    // goes to the log: run-finished.v1 keeps its shape.
    try {
      const observation = await observeOutcomes(deps, { meta });
      if (observation.observed > 0)
        log?.info({ runId, outcomesObserved: observation.observed, orgs: observation.orgs }, 'outcomes observed');
      errors.push(...observation.errors.map(messageOf));
    } catch (error) {
      errors.push(`observation: ${messageOf(error)}`);
    }
    const finishedAt = deps.clock.now();
    const outcome: SchedulerRunOutcome = errors.length === 0 ? 'succeeded' : 'failed';
    const finished: SchedulerRunFinished['data'] = {
      runId,
      finishedAt: finishedAt.toISOString(),
      outcome,
      ...counts,
      errors: capErrors(errors),
    };
    await recordFinish(deps.store, { ...context, now: finishedAt, causationId: startEvent!.metadata.eventId }, finished)
      .then((recorded) => recorded && options.onRunFinished?.(finished))
      .catch((error: unknown) => log?.error({ runId, err: messageOf(error) }, 'scheduled run finished but could not be recorded'));
    log?.[outcome === 'succeeded' ? 'info' : 'warn']({ runId, outcome, ...counts, errors: errors.length }, 'scheduled run finished');
    return { startedAt, finishedAt };
  }

  let current: Promise<void> | null = null;
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      current = step().catch((error: unknown) => log?.error({ instanceId, err: messageOf(error) }, 'scheduler step failed'));
      await current;
      current = null;
      await sleep(tickMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();

  return {
    instanceId,
    isLeader: () => leadership !== null && !leadership.lost.aborted,
    async stop(timeoutMs = 30_000) {
      stopping.abort();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const ended = await Promise.race([loop.then(() => 'ended' as const), timedOut]);
      clearTimeout(timer);
      if (ended === 'timeout') log?.error({ instanceId, timeoutMs }, 'scheduler run still in flight at stop: its leader session ends now');
      const held = leadership;
      leadership = null;
      await held?.release();
    },
  };
}

/** At most SCHEDULER_MAX_ERRORS messages; the last one says how many more there were. */
function capErrors(errors: readonly string[]): string[] {
  if (errors.length <= SCHEDULER_MAX_ERRORS) return [...errors];
  return [...errors.slice(0, SCHEDULER_MAX_ERRORS - 1), `... and ${errors.length - SCHEDULER_MAX_ERRORS + 1} more errors`];
}

/** Appends run-finished after the run's one start event (revision 0): a run is finished once, by whoever comes first. */
async function recordFinish(store: EventStore, context: AppendContext, data: SchedulerRunFinished['data']): Promise<boolean> {
  const finished: SchedulerRunFinished = { type: SCHEDULER_EVENT_TYPES.runFinished, data };
  try {
    await store.append(schedulerRunStreamName(data.runId), withMetadata([finished], context), 0n);
    return true;
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) return false;
    throw error;
  }
}

/**
 * What a new leader does first: reads the scheduler's history from the log (after waiting until
 * everything committed is readable, so the previous leader's last run cannot be missed), closes
 * the runs a dead leader left unfinished as 'abandoned', and returns the latest run for the
 * schedule to continue from (null: no run ever, the first runs at once).
 */
async function continueSchedule(
  store: EventStore,
  instanceId: string,
  now: Date,
  log: ProjectionLogger | undefined,
): Promise<LastRun | null> {
  await untilReadable(store);
  const events = [];
  let after: LogPosition | undefined;
  for (;;) {
    const page = await store.readAll({
      eventTypes: [SCHEDULER_EVENT_TYPES.runStarted, SCHEDULER_EVENT_TYPES.runFinished],
      maxCount: 1_000,
      ...(after ? { after } : {}),
    });
    events.push(...page);
    if (page.length < 1_000) break;
    after = page.at(-1)!.position;
  }
  const runs = runsFromHistory(events);
  for (const run of runs.filter((r) => r.finishedAt === null)) {
    const context: AppendContext = { command: 'AbandonScheduledRun', actor: ACTOR, correlationId: run.runId, causationId: null, now };
    const closed = await recordFinish(store, context, {
      runId: run.runId,
      finishedAt: now.toISOString(),
      outcome: 'abandoned',
      orgs: 0,
      detections: 0,
      actionsProposed: 0,
      actionsExpired: 0,
      errors: [`abandoned: its leader stopped before finishing; closed by instance ${instanceId}`],
    });
    if (closed) log?.warn({ runId: run.runId, instanceId }, 'scheduled run left unfinished by a previous leader: marked abandoned');
  }
  const latest = runs.at(-1);
  return latest ? { startedAt: latest.startedAt, finishedAt: latest.finishedAt ?? now } : null;
}

/** Waits (bounded) until the readable head reaches the committed head: no committed run is hidden from readAll. */
async function untilReadable(store: EventStore, timeoutMs = 10_000): Promise<void> {
  const target = await store.committedHead();
  if (!target) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await store.headPosition();
    if (head && comparePositions(head, target) >= 0) return;
    if (Date.now() > deadline) throw new Error('the event log did not become readable up to its committed head in time');
    await sleep(20);
  }
}

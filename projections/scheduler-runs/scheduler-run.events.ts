/**
 * The scheduler's record of its runs: one stream per run (`scheduler-run-<runId>`), opened by
 * run-started and closed by run-finished. The contract lives beside its projection because the
 * projections may import nothing from the apps; the scheduler (apps/runtime) writes these types.
 * Type strings are stable and versioned: a change of shape is a new `.v2`, never an edit.
 */
export const SCHEDULER_EVENT_TYPES = {
  runStarted: 'scheduler.run-started.v1',
  runFinished: 'scheduler.run-finished.v1',
} as const;

export const SCHEDULER_RUN_OUTCOMES = ['succeeded', 'failed', 'abandoned'] as const;
export type SchedulerRunOutcome = (typeof SCHEDULER_RUN_OUTCOMES)[number];

export interface SchedulerRunStarted {
  readonly type: typeof SCHEDULER_EVENT_TYPES.runStarted;
  readonly data: {
    readonly runId: string;
    /** Which process led (its instanceId option): ids only, no host names or people. */
    readonly instanceId: string;
    /** ISO-8601: when the schedule said the run was due. */
    readonly scheduledFor: string;
    /** ISO-8601, from the injected clock. */
    readonly startedAt: string;
  };
}

export interface SchedulerRunFinished {
  readonly type: typeof SCHEDULER_EVENT_TYPES.runFinished;
  readonly data: {
    readonly runId: string;
    readonly finishedAt: string;
    /** 'abandoned': its leader died mid-run; the next leader closed it (counts are then 0). */
    readonly outcome: SchedulerRunOutcome;
    readonly orgs: number;
    readonly detections: number;
    readonly actionsProposed: number;
    readonly actionsExpired: number;
    /** Error messages only (no stacks, no personal data), at most SCHEDULER_MAX_ERRORS. */
    readonly errors: readonly string[];
  };
}

export type SchedulerRunEvent = SchedulerRunStarted | SchedulerRunFinished;

export const SCHEDULER_MAX_ERRORS = 20;

const STREAM_PREFIX = 'scheduler-run-';

export function schedulerRunStreamName(runId: string): string {
  return `${STREAM_PREFIX}${runId}`;
}

import type { RecordedEvent } from '#event-store';
import { SCHEDULER_EVENT_TYPES, type SchedulerRunFinished, type SchedulerRunStarted } from '#read-models';

/** What the schedule needs of the latest run: when it started and when it ended (or was abandoned). */
export interface LastRun {
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/**
 * When the next run is due: at once when no run was ever recorded; otherwise one interval after
 * the previous run's start, but never before it ended: a run longer than the interval delays
 * the next one and never overlaps it. Pure, so tests move the clock and check it directly.
 */
export function nextRunDue(last: LastRun | null, intervalMs: number, now: Date): Date {
  if (!last) return now;
  return new Date(Math.max(last.startedAt.getTime() + intervalMs, last.finishedAt.getTime()));
}

/** A recorded run as the scheduler's own history shows it (read from the log, not the read model). */
export interface RecordedRun {
  readonly runId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}

/**
 * Folds the scheduler's events (log order) into its runs, latest start last: what a new leader
 * continues from, and which runs a dead leader left unfinished.
 */
export function runsFromHistory(events: readonly RecordedEvent[]): RecordedRun[] {
  const runs = new Map<string, RecordedRun>();
  for (const event of events) {
    if (event.type === SCHEDULER_EVENT_TYPES.runStarted) {
      const { runId, startedAt } = (event as unknown as SchedulerRunStarted).data;
      if (!runs.has(runId)) runs.set(runId, { runId, startedAt: new Date(startedAt), finishedAt: null });
    } else if (event.type === SCHEDULER_EVENT_TYPES.runFinished) {
      const { runId, finishedAt } = (event as unknown as SchedulerRunFinished).data;
      const run = runs.get(runId);
      if (run) runs.set(runId, { ...run, finishedAt: new Date(finishedAt) });
    }
  }
  return [...runs.values()].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

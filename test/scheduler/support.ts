import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedEvent } from '#event-store';
import { SCHEDULER_EVENT_TYPES, type SchedulerRunFinished, type SchedulerRunStarted } from '#read-models';
import { startScheduler, type Scheduler, type SchedulerOptions } from '#runtime';
import type { RevenueHarness } from '../revenue/support/revenue-harness.js';

export const HOUR = 3_600_000;

/** A scheduler that polls fast (the clock is moved by the test, never waited for). */
export function fastScheduler(h: RevenueHarness, options: Partial<SchedulerOptions> & { instanceId: string }): Scheduler {
  return startScheduler({
    deps: h.deps,
    intervalMs: HOUR,
    proposalMaxAgeMs: 72 * HOUR,
    tickMs: 5,
    leaderRetryMs: 20,
    heartbeatMs: 50,
    logger: { info: () => undefined, warn: () => undefined, error: (fields, message) => console.error(message, fields) },
    ...options,
  });
}

export interface RunRecord {
  readonly runId: string;
  readonly instanceId: string;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly finished: SchedulerRunFinished['data'] | null;
  /** Log order of the start and finish events. */
  readonly startIndex: number;
  readonly finishIndex: number | null;
  readonly finishEvent: RecordedEvent | null;
}

/** Every run as its events in the log show it, in start order. */
export async function recordedRuns(h: RevenueHarness): Promise<RunRecord[]> {
  const events = await h.store.readAll({ eventTypes: [SCHEDULER_EVENT_TYPES.runStarted, SCHEDULER_EVENT_TYPES.runFinished] });
  const runs = new Map<string, RunRecord>();
  events.forEach((event, index) => {
    if (event.type === SCHEDULER_EVENT_TYPES.runStarted) {
      const d = (event as unknown as SchedulerRunStarted).data;
      runs.set(d.runId, {
        runId: d.runId,
        instanceId: d.instanceId,
        startedAt: Date.parse(d.startedAt),
        finishedAt: null,
        finished: null,
        startIndex: index,
        finishIndex: null,
        finishEvent: null,
      });
    } else {
      const d = (event as unknown as SchedulerRunFinished).data;
      const run = runs.get(d.runId)!;
      runs.set(d.runId, { ...run, finishedAt: Date.parse(d.finishedAt), finished: d, finishIndex: index, finishEvent: event });
    }
  });
  return [...runs.values()].sort((a, b) => a.startIndex - b.startIndex);
}

/** Polls `check` until it holds (bounded): waits for a state, asserts nothing about time. */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export const finishedRuns = async (h: RevenueHarness) => (await recordedRuns(h)).filter((r) => r.finished !== null);

import { sql } from '#database';
import type { Projection, Recorded } from '#projection-runner';
import {
  SCHEDULER_EVENT_TYPES,
  type SchedulerRunEvent,
  type SchedulerRunFinished,
  type SchedulerRunStarted,
} from './scheduler-run.events.js';

/**
 * One scheduler_runs row per run, for the API (`GET /api/ops/runs`) and the CLI (`runs`).
 * Set-based: one INSERT for the batch's starts, then one UPDATE for its finishes (a run's
 * start precedes its finish in the log, so a batch holding both inserts before it updates).
 * Idempotent for a rebuild and for event-by-event replays: a start already there is left as
 * it is (it may be finished already), a finish sets the same values again.
 */
export const schedulerRuns: Projection<SchedulerRunEvent> = {
  name: 'scheduler-runs',
  version: 1,
  eventTypes: [SCHEDULER_EVENT_TYPES.runStarted, SCHEDULER_EVENT_TYPES.runFinished],
  tables: ['scheduler_runs'],
  onError: 'halt',
  async apply(tx, events, tables) {
    const started = events.filter((e): e is Recorded<SchedulerRunStarted> => e.type === SCHEDULER_EVENT_TYPES.runStarted);
    const finished = events.filter((e): e is Recorded<SchedulerRunFinished> => e.type === SCHEDULER_EVENT_TYPES.runFinished);
    if (started.length) {
      const rows = started.map((e) => [e.data.runId, e.data.instanceId, e.data.scheduledFor, e.data.startedAt]);
      await tx.query(sql.unsafe`
        INSERT INTO ${tables.of('scheduler_runs')} (run_id, instance_id, scheduled_for, started_at)
        SELECT * FROM ${sql.unnest(rows, ['uuid', 'text', 'timestamptz', 'timestamptz'])}
        ON CONFLICT (run_id) DO NOTHING`);
    }
    if (finished.length) {
      const rows = finished.map((e) => [
        e.data.runId,
        e.data.finishedAt,
        e.data.outcome,
        e.data.orgs,
        e.data.detections,
        e.data.actionsProposed,
        e.data.actionsExpired,
        JSON.stringify(e.data.errors),
      ]);
      await tx.query(sql.unsafe`
        UPDATE ${tables.of('scheduler_runs')} r SET finished_at = f.finished_at, outcome = f.outcome, orgs = f.orgs,
          detections = f.detections, actions_proposed = f.actions_proposed, actions_expired = f.actions_expired, errors = f.errors::jsonb
        FROM ${sql.unnest(rows, ['uuid', 'timestamptz', 'text', 'int4', 'int4', 'int4', 'int4', 'text'])}
          AS f(run_id, finished_at, outcome, orgs, detections, actions_proposed, actions_expired, errors)
        WHERE r.run_id = f.run_id`);
    }
  },
};

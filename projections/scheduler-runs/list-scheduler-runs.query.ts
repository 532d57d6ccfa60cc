import { z } from 'zod';
import { sql, type CommonQueryMethods } from '#database';
import { SCHEDULER_RUN_OUTCOMES, type SchedulerRunOutcome } from './scheduler-run.events.js';

export interface SchedulerRun {
  readonly runId: string;
  readonly instanceId: string;
  /** ISO-8601 (milliseconds, UTC). */
  readonly scheduledFor: string;
  readonly startedAt: string;
  /** Null while the run is in flight (or its leader died and no leader has closed it yet). */
  readonly finishedAt: string | null;
  readonly outcome: SchedulerRunOutcome | null;
  readonly orgs: number | null;
  readonly detections: number | null;
  readonly actionsProposed: number | null;
  readonly actionsExpired: number | null;
  readonly errors: readonly string[];
}

/** Types the rows, not checked at run time (see revenue-read-model/queries/row-types.ts). */
const RunRow = z.object({
  run_id: z.string(),
  instance_id: z.string(),
  scheduled_for: z.string(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  outcome: z.enum(SCHEDULER_RUN_OUTCOMES).nullable(),
  orgs: z.number().nullable(),
  detections: z.number().nullable(),
  actions_proposed: z.number().nullable(),
  actions_expired: z.number().nullable(),
  errors: z.array(z.string()),
});

const iso = (column: string) => sql.fragment`to_char(${sql.identifier([column])} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The scheduler's runs, newest first, keyset on (started_at, run_id): `before` is the runId of the
 * previous page's last row (a run id that is not there gives an empty page, never the first one).
 */
export async function listSchedulerRuns(
  db: CommonQueryMethods,
  page: { readonly limit: number; readonly before?: string },
): Promise<SchedulerRun[]> {
  const before = page.before
    ? sql.fragment`WHERE (started_at, run_id) < (SELECT b.started_at, b.run_id FROM scheduler_runs b WHERE b.run_id = ${page.before}::uuid)`
    : sql.fragment``;
  const rows = await db.any(sql.type(RunRow)`
    SELECT run_id, instance_id, ${iso('scheduled_for')} AS scheduled_for, ${iso('started_at')} AS started_at,
      CASE WHEN finished_at IS NULL THEN NULL ELSE ${iso('finished_at')} END AS finished_at,
      outcome, orgs, detections, actions_proposed, actions_expired, errors
    FROM scheduler_runs ${before}
    ORDER BY started_at DESC, run_id DESC
    LIMIT ${page.limit}`);
  return rows.map((r) => ({
    runId: r.run_id,
    instanceId: r.instance_id,
    scheduledFor: r.scheduled_for,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    orgs: r.orgs,
    detections: r.detections,
    actionsProposed: r.actions_proposed,
    actionsExpired: r.actions_expired,
    errors: r.errors,
  }));
}

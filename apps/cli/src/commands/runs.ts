import { listSchedulerRuns } from '#read-models';
import { configOf, type CommandContext } from '../context.js';
import { table } from '../output.js';
import { withRuntime } from '../session.js';

/**
 * The scheduler's runs, newest first, from the scheduler_runs read model (the worker's
 * projections keep it; this command runs none, so a run finished a moment ago may show as
 * still in flight until the worker has projected it).
 */
export async function runs(options: { readonly limit: number }, ctx: CommandContext): Promise<void> {
  const rows = await withRuntime(configOf(ctx), ctx.env, (runtime) => listSchedulerRuns(runtime.pool, { limit: options.limit }));
  ctx.print.result(rows, () =>
    rows.length === 0
      ? 'no scheduled runs recorded (the worker schedules them when SWEEP_INTERVAL_MINUTES is set)'
      : table(rows, [
          { header: 'run id', value: (r) => r.runId },
          { header: 'started', value: (r) => r.startedAt },
          { header: 'finished', value: (r) => r.finishedAt },
          { header: 'outcome', value: (r) => r.outcome ?? 'running' },
          { header: 'orgs', value: (r) => r.orgs, align: 'right' },
          { header: 'detections', value: (r) => r.detections, align: 'right' },
          { header: 'proposed', value: (r) => r.actionsProposed, align: 'right' },
          { header: 'expired', value: (r) => r.actionsExpired, align: 'right' },
          { header: 'errors', value: (r) => r.errors.length, align: 'right' },
          { header: 'instance', value: (r) => r.instanceId },
        ]),
  );
}

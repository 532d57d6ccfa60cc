import { sql } from '#database';
import { DEFAULT_FULL_SWEEP_EVERY_MS, SweepFleet, SweepFleetHandler } from '#revenue-commands';
import { configOf, type CommandContext } from '../context.js';
import { keyValues } from '../output.js';
import { withRuntime } from '../session.js';
import { cliMeta } from './meta.js';

/**
 * The fleet sweep (SweepFleet): detection and proposed actions over every org in one pass, or
 * (--incremental) over the orgs whose inputs changed since the last incremental sweep, with the
 * scheduler's period for a full one. The handler reports no progress of its own (one usage
 * aggregate, then a few queries and one appendMany per page), so the CLI shows it as a phase
 * with the number of orgs and its duration.
 */
export async function sweep(options: { readonly pageSize: number; readonly incremental?: boolean }, ctx: CommandContext): Promise<void> {
  const started = performance.now();
  const result = await withRuntime(configOf(ctx), ctx.env, async (runtime) => {
    const orgs = Number(await runtime.pool.oneFirst(sql.unsafe`SELECT count(*) FROM organizations`));
    const label = `sweep${options.incremental ? ' (incremental)' : ''}: ${orgs.toLocaleString('en-US')} orgs, pages of ${options.pageSize.toLocaleString('en-US')}`;
    const incremental = options.incremental ? { fullEveryMs: DEFAULT_FULL_SWEEP_EVERY_MS } : undefined;
    const command = new SweepFleet(cliMeta(), options.pageSize, undefined, incremental);
    return ctx.progress.phase(label, () => new SweepFleetHandler(runtime.deps).execute(command));
  });
  const durationMs = Math.round(performance.now() - started);
  ctx.print.result({ ...result, durationMs }, () =>
    keyValues([
      ['mode', result.fullReason ? `${result.mode} (${result.fullReason})` : result.mode],
      ['orgs swept', result.orgs],
      ['detections', result.detections],
      ['orgs changed', result.orgsChanged],
      ['events appended', result.eventsAppended],
      ['actions proposed', result.actionsProposed],
      ['runs stopped (credits)', result.runsStopped],
      ['conflicts retried', result.conflictsRetried],
      ['log position', result.position],
      ['took', `${(durationMs / 1000).toFixed(1)}s`],
    ]),
  );
}

import { sql } from '#database';
import { SweepFleet, SweepFleetHandler } from '#revenue-commands';
import { configOf, type CommandContext } from '../context.js';
import { keyValues } from '../output.js';
import { withRuntime } from '../session.js';
import { cliMeta } from './meta.js';

/**
 * The fleet sweep (SweepFleet): detection and proposed actions over every org in one pass. The
 * handler reports no progress of its own (one usage aggregate, then a few queries and one
 * appendMany per page), so the CLI shows it as a phase with the number of orgs and its duration.
 */
export async function sweep(options: { readonly pageSize: number }, ctx: CommandContext): Promise<void> {
  const started = performance.now();
  const result = await withRuntime(configOf(ctx), ctx.env, async (runtime) => {
    const orgs = Number(await runtime.pool.oneFirst(sql.unsafe`SELECT count(*) FROM organizations`));
    const label = `sweep: ${orgs.toLocaleString('en-US')} orgs, pages of ${options.pageSize.toLocaleString('en-US')}`;
    return ctx.progress.phase(label, () => new SweepFleetHandler(runtime.deps).execute(new SweepFleet(cliMeta(), options.pageSize)));
  });
  const durationMs = Math.round(performance.now() - started);
  ctx.print.result({ ...result, durationMs }, () =>
    keyValues([
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

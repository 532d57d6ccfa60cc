import { isUuid } from '#database';
import { configOf, type CommandContext } from '../context.js';
import { keyValues } from '../output.js';
import { cliMeta } from './meta.js';

export interface EraseOptions {
  readonly yes?: boolean;
  readonly waitSeconds: number;
}

/**
 * Erases one org's revenue data (event stream, read rows) and records the erasure without the
 * org id: the erasure DELETE /api/maos/orgs/:orgId runs (#runtime eraseOrg). Idempotent.
 */
export async function eraseOrganization(orgIdArg: string, options: EraseOptions, ctx: CommandContext): Promise<void> {
  if (!isUuid(orgIdArg)) ctx.usage(`<orgId> must be an organization id (a UUID), got '${orgIdArg}'`);
  if (!options.yes) ctx.usage("erase-org deletes the org's revenue history for good: add --yes to confirm");
  const config = configOf(ctx);
  // The engine is loaded only once the command line and the environment are known good.
  const [{ withRuntime }, { eraseOrg }, { allProjections }] = await Promise.all([
    import('../session.js'),
    import('#runtime'),
    import('#read-models'),
  ]);
  const orgId = orgIdArg.toLowerCase();
  const outcome = await withRuntime(config, ctx.env, (runtime) => {
    // The read rows go only once the projections have passed the deletion: run them here unless another process does.
    runtime.runner.start();
    const meta = cliMeta();
    return ctx.progress.phase(`erase-org ${orgId}`, () =>
      eraseOrg(
        {
          store: runtime.store,
          pool: runtime.pool,
          async waitForProjections(position) {
            const waits = allProjections.map((p) => runtime.runner.waitFor(p.name, position, options.waitSeconds * 1000));
            return (await Promise.all(waits)).every(Boolean);
          },
        },
        orgId,
        { actor: meta.actor, correlationId: meta.correlationId, causationId: null, now: runtime.deps.clock.now() },
      ),
    );
  });
  ctx.print.result({ orgId, ...outcome }, () =>
    outcome.erased
      ? keyValues([
          ['erased org', orgId],
          ['events', outcome.counts.events],
          ['opportunities', outcome.counts.opportunities],
          ['actions', outcome.counts.actions],
          ['org stream rows', outcome.counts.orgStreams],
          ['ledger entries', outcome.counts.ledgerEntries],
          ['erasure record at', outcome.position],
        ])
      : `nothing to erase for org ${orgId} (already erased, or it never had revenue data)`,
  );
}

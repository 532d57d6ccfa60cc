import { configOf, type CommandContext } from '../context.js';
import { keyValues } from '../output.js';
import { withRuntime } from '../session.js';

/** Applies pending migrations: opening the runtime does (node-pg-migrate, serialised by an advisory lock). */
export async function migrateDatabase(ctx: CommandContext): Promise<void> {
  const config = configOf(ctx);
  const result = await ctx.progress.phase('migrate: applying pending migrations', () =>
    withRuntime(config, ctx.env, async (runtime) => ({
      migrated: true,
      database: runtime.server.embedded ? 'embedded' : 'external',
      eventStore: runtime.eventStoreKind,
    })),
  );
  ctx.print.result(result, () =>
    keyValues([
      ['migrations', 'up to date'],
      ['database', result.database],
      ['event store', result.eventStore],
    ]),
  );
}

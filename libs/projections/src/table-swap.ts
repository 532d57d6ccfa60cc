import type { LogPosition } from '#event-store';
import type { ControlSession } from './control-session.js';
import { CheckpointConflictError, RebuildBlockedError } from './errors.js';
import type { ProjectionLogger } from './logger.js';
import type { AnyProjection } from './projection.js';
import { carryOverStatements } from './table-carry-over.js';
import {
  deferrableIndexDrops,
  findSwapBlockers,
  foreignKeys,
  indexRenames,
  missingIndexBuilds,
  quoted,
  sequenceHandover,
  type ForeignKey,
} from './table-ddl.js';
import { ownedTables } from './table-names.js';

export async function shadowsExist(session: ControlSession, projection: AnyProjection): Promise<boolean> {
  const names = ownedTables(projection).map((t) => quoted(t, 'shadow'));
  const result = await session.query<{ missing: number }>(
    'SELECT count(*) FILTER (WHERE to_regclass(n) IS NULL)::int AS missing FROM unnest($1::text[]) n',
    [names],
  );
  return result.rows[0]?.missing === 0;
}

/**
 * Starts a rebuild: fresh, empty shadows shaped like the live tables (no foreign keys yet, so
 * replay order across tables cannot trip them), and the rebuild lane reset to position zero.
 * The shadows keep their primary key, unique and exclusion indexes (ON CONFLICT and the
 * handlers' lookups need them) but not the plain ones: those are built once, after the replay
 * (buildDeferredIndexes), which is cheaper than maintaining them row by row.
 * Blockers are checked now so a rebuild that could never swap does not run for nothing.
 */
export async function createShadows(session: ControlSession, projection: AnyProjection): Promise<void> {
  const tables = ownedTables(projection);
  await session.transaction(async () => {
    const blockers = await findSwapBlockers(session, tables);
    if (blockers.length > 0) throw new RebuildBlockedError(projection.name, blockers);
    for (const table of tables) await session.query(`DROP TABLE IF EXISTS ${quoted(table, 'shadow')}`);
    for (const table of tables)
      await session.query(`CREATE TABLE ${quoted(table, 'shadow')} (LIKE ${quoted(table, 'live')} INCLUDING ALL)`);
    for (const table of tables) for (const statement of await deferrableIndexDrops(session, table)) await session.query(statement);
    await session.query(
      `UPDATE projection_checkpoints
       SET status = 'rebuilding', rebuild_version = $2, rebuild_commit_position = NULL, rebuild_prepare_position = NULL,
           rebuild_requested = false, rebuild_started_at = now(), halted_reason = NULL, updated_at = now()
       WHERE name = $1`,
      [projection.name, projection.version],
    );
  });
}

export interface SwapOptions {
  /** The rebuild lane's checkpoint as this runner last wrote it (fence). */
  readonly rebuiltTo: LogPosition | null;
  /** Longest wait for readers to let go of the live tables; the swap is retried later. */
  readonly lockTimeoutMs: number;
  readonly logger: ProjectionLogger;
}

/**
 * Swaps the caught-up shadows in, in ONE transaction: readers see the old tables until the
 * commit and the new ones after it (a reader queued on the lock re-resolves the name). The
 * live checkpoint takes the rebuild's position, so the live loop continues from there.
 */
export async function swapShadows(session: ControlSession, projection: AnyProjection, options: SwapOptions): Promise<void> {
  const tables = ownedTables(projection);
  const keys: ForeignKey[] = [];
  // Before the swap's locks: readers of the live tables are not held up while they build.
  await buildDeferredIndexes(session, tables);
  await session.transaction(async () => {
    await session.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`);
    const fence = await session.query(
      `SELECT 1 FROM projection_checkpoints
       WHERE name = $1 AND status = 'rebuilding' AND rebuild_version = $2
         AND rebuild_commit_position IS NOT DISTINCT FROM $3::int8 AND rebuild_prepare_position IS NOT DISTINCT FROM $4::int8
       FOR UPDATE`,
      [projection.name, projection.version, options.rebuiltTo?.commit.toString() ?? null, options.rebuiltTo?.prepare.toString() ?? null],
    );
    if (fence.rowCount !== 1) throw new CheckpointConflictError(projection.name);
    const all = tables.flatMap((t) => [quoted(t, 'live'), quoted(t, 'shadow')]);
    await session.query(`LOCK TABLE ${all.join(', ')} IN ACCESS EXCLUSIVE MODE`);
    const blockers = await findSwapBlockers(session, tables);
    if (blockers.length > 0) throw new RebuildBlockedError(projection.name, blockers);

    const afterRename: string[] = [];
    for (const table of tables) {
      // Normally nothing left: a live index created since the build above would be.
      for (const statement of await missingIndexBuilds(session, table)) await session.query(statement);
      for (const statement of await sequenceHandover(session, table)) await session.query(statement);
      afterRename.push(...(await indexRenames(session, table)), ...(await carryOverStatements(session, table)));
      keys.push(...(await foreignKeys(session, table)));
    }
    await session.query(`DROP TABLE ${tables.map((t) => quoted(t, 'live')).join(', ')}`);
    for (const table of tables) await session.query(`ALTER TABLE ${quoted(table, 'shadow')} RENAME TO "${table.live}"`);
    for (const statement of [...afterRename, ...keys.map((k) => k.add)]) await session.query(statement);
    const pending: PendingValidation[] = keys.filter((k) => k.validate).map((k) => ({ table: k.table, constraint: k.name }));
    await session.query(
      `UPDATE projection_checkpoints
       SET version = rebuild_version, commit_position = rebuild_commit_position, prepare_position = rebuild_prepare_position,
           status = 'running', rebuild_version = NULL, rebuild_commit_position = NULL, rebuild_prepare_position = NULL,
           rebuild_started_at = NULL, halted_reason = NULL, pending_validations = $2::jsonb, updated_at = now()
       WHERE name = $1`,
      [projection.name, JSON.stringify(pending)],
    );
  });
  await validatePending(session, projection.name, options.logger);
  // Fresh tables have no statistics: without this the first queries may get poor plans.
  await session.query(`ANALYZE ${tables.map((t) => quoted(t, 'live')).join(', ')}`);
}

/**
 * Builds the plain indexes createShadows left out, on the shadows only. Each build is its own
 * statement and only missing ones are built, so a crash in between loses nothing: the resumed
 * rebuild builds the rest before its swap.
 */
async function buildDeferredIndexes(session: ControlSession, tables: ReturnType<typeof ownedTables>): Promise<void> {
  for (const table of tables) for (const statement of await missingIndexBuilds(session, table)) await session.query(statement);
}

interface PendingValidation {
  readonly table: string;
  readonly constraint: string;
}

/**
 * Validates the foreign keys the last swap re-created NOT VALID. VALIDATE lets readers and
 * writers through, unlike a check inside the swap. Runs after each swap and whenever a runner
 * takes a projection over (the previous one may have died between the swap and this).
 */
export async function validatePending(session: ControlSession, projection: string, logger: ProjectionLogger): Promise<void> {
  const result = await session.query<{ pending: PendingValidation[] | null }>(
    'SELECT pending_validations AS pending FROM projection_checkpoints WHERE name = $1',
    [projection],
  );
  const pending = result.rows[0]?.pending ?? [];
  for (const { table, constraint } of pending) {
    try {
      await session.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT "${constraint.replaceAll('"', '""')}"`);
    } catch (error) {
      logger.error({ projection, table, constraint, error: String(error) }, 'rebuilt table violates a foreign key; it stays NOT VALID');
    }
  }
  if (pending.length > 0) await session.query('UPDATE projection_checkpoints SET pending_validations = NULL WHERE name = $1', [projection]);
}

import { setTimeout as sleep } from 'node:timers/promises';
import { formatPosition, type LogPosition } from '#event-store';
import { listParked, postgresLogLag, readCheckpoint, type ProjectionStatus } from '#projection-runner';
import { allProjections } from '#read-models';
import type { Runtime } from '#runtime';
import { configOf, type CommandContext } from '../context.js';
import { keyValues, table } from '../output.js';
import type { Progress } from '../progress.js';
import { withRuntime } from '../session.js';

const position = (p: LogPosition | null | undefined): string | null => (p ? formatPosition(p) : null);

/** The projection of that name, or a usage error naming the known ones (the set is fixed in code). */
function projectionNamed(name: string, ctx: CommandContext) {
  const projection = allProjections.find((p) => p.name === name);
  if (!projection) ctx.usage(`unknown projection '${name}' (known: ${allProjections.map((p) => p.name).join(', ')})`);
  return projection;
}

const statusJson = (s: ProjectionStatus) => ({
  ...s,
  position: position(s.position),
  rebuild: s.rebuild ? { version: s.rebuild.version, position: position(s.rebuild.position) } : null,
});

export async function projectionStatus(ctx: CommandContext): Promise<void> {
  const statuses = await withRuntime(configOf(ctx), ctx.env, (runtime) => runtime.runner.status());
  ctx.print.result(statuses.map(statusJson), () =>
    table(statuses, [
      { header: 'projection', value: (s) => s.name },
      {
        header: 'version',
        value: (s) => (s.liveVersion === null || s.liveVersion === s.version ? s.version : `${s.liveVersion} -> ${s.version}`),
      },
      { header: 'state', value: (s) => s.state },
      { header: 'position', value: (s) => position(s.position) },
      { header: 'lag', value: (s) => s.lagEvents, align: 'right' },
      { header: 'parked', value: (s) => s.parkedCount, align: 'right' },
      { header: 'rebuild', value: (s) => (s.rebuild ? `v${s.rebuild.version} at ${position(s.rebuild.position) ?? 'start'}` : null) },
      { header: 'halted because', value: (s) => s.haltedReason },
    ]),
  );
}

/**
 * Rebuilds from position zero into shadow tables and swaps them in. This process runs the
 * projection unless another process holds it (then that one does the work and we watch).
 * Progress: the rebuild lane's checkpoint against the events of the projection's types in the
 * PostgreSQL log; with EventStoreDB (not countable) a phase.
 */
export async function rebuildProjection(name: string, options: { readonly timeoutMinutes: number }, ctx: CommandContext): Promise<void> {
  const projection = projectionNamed(name, ctx);
  const started = performance.now();
  const events = await withRuntime(configOf(ctx), ctx.env, async (runtime) => {
    runtime.runner.start();
    const rebuilding = runtime.runner.rebuild(name, { timeoutMs: options.timeoutMinutes * 60_000 });
    if (runtime.eventStoreKind !== 'postgres') {
      await ctx.progress.phase(`rebuild ${name}`, () => rebuilding);
      return null;
    }
    return watchRebuild(runtime, projection, rebuilding, ctx.progress);
  });
  const durationMs = Math.round(performance.now() - started);
  ctx.print.result({ rebuilt: name, version: projection.version, events, durationMs }, () =>
    keyValues([
      ['rebuilt', name],
      ['version', projection.version],
      ['events replayed', events],
      ['took', `${(durationMs / 1000).toFixed(1)}s`],
    ]),
  );
}

async function watchRebuild(
  runtime: Runtime,
  projection: (typeof allProjections)[number],
  rebuilding: Promise<void>,
  progress: Progress,
): Promise<number> {
  const lag = postgresLogLag(runtime.pool);
  let total = (await lag(null, projection.eventTypes)) ?? 0;
  const bar = progress.bar(`rebuild ${projection.name}`, total, 'events');
  let finished = false;
  const settled = rebuilding.then(
    () => (finished = true),
    () => (finished = true),
  );
  try {
    while (!finished) {
      await Promise.race([settled, sleep(500)]);
      if (finished) break;
      const row = await readCheckpoint(runtime.pool, projection.name);
      if (!row?.rebuildPosition) continue;
      const remaining = (await lag(row.rebuildPosition, projection.eventTypes)) ?? 0;
      const done = Math.max(0, total - remaining);
      total = Math.max(total, done + remaining); // events appended meanwhile
      bar.update(done, total);
    }
    await rebuilding;
    bar.update(total, total);
  } finally {
    bar.stop();
  }
  return total;
}

export async function parkedEvents(name: string, ctx: CommandContext): Promise<void> {
  projectionNamed(name, ctx);
  const parked = await withRuntime(configOf(ctx), ctx.env, (runtime) => listParked(runtime.pool, name));
  ctx.print.result(parked, () =>
    parked.length === 0
      ? `no parked events for ${name}`
      : table(parked, [
          { header: 'event id', value: (p) => p.eventId },
          { header: 'type', value: (p) => p.eventType },
          { header: 'stream', value: (p) => p.streamName },
          { header: 'attempts', value: (p) => p.attempts, align: 'right' },
          { header: 'error', value: (p) => p.error },
        ]),
  );
}

export async function resumeProjection(name: string, ctx: CommandContext): Promise<void> {
  projectionNamed(name, ctx);
  const resumed = await withRuntime(configOf(ctx), ctx.env, (runtime) => runtime.runner.resume(name));
  ctx.print.result({ projection: name, resumed }, () =>
    resumed ? `${name} resumed: its parked event is retried first` : `${name} was not halted: nothing to resume`,
  );
}

import { listOutbox, OPEN_OUTBOX_STATES, type OutboxKind, type OutboxState } from '#runtime';
import { configOf, type CommandContext } from '../context.js';
import { table } from '../output.js';
import { withRuntime } from '../session.js';

/**
 * The outbox as the dispatcher sees it: entries newest first with their state, attempts, next
 * attempt and last error (an HTTP status or a network failure, never a receiver's body).
 */
export async function outbox(
  options: { readonly kind: OutboxKind; readonly state?: OutboxState[]; readonly limit: number },
  ctx: CommandContext,
): Promise<void> {
  const states = options.state ?? OPEN_OUTBOX_STATES;
  const rows = await withRuntime(configOf(ctx), ctx.env, (runtime) =>
    listOutbox(runtime.pool, { kind: options.kind, states, limit: options.limit, now: runtime.deps.clock.now() }),
  );
  ctx.print.result(rows, () =>
    rows.length === 0
      ? `no ${options.kind} entries ${states.join(', ')}`
      : table(rows, [
          { header: 'action id', value: (r) => r.actionId },
          { header: 'channel', value: (r) => `${r.actionType} (${r.channelKind})` },
          { header: 'state', value: (r) => r.state },
          { header: 'attempts', value: (r) => r.attempts, align: 'right' },
          { header: 'queued', value: (r) => r.queuedAt },
          { header: 'next attempt', value: (r) => r.nextAttemptAt },
          { header: 'last error', value: (r) => r.lastError },
        ]),
  );
}

import { z } from 'zod';
import { isoTimestamp, sql, type CommonQueryMethods } from '#database';
import { outboxStateSql, type OutboxState } from '../../action-outbox/outbox-state.sql.js';

/** Where an engine delivery stands: the delivery states of the operators' outbox list (GET /api/ops/outbox). */
export const DELIVERY_STATES = [
  'waiting',
  'delivering',
  'retrying',
  'gave-up',
  'sent',
  'failed',
  'expired',
] as const satisfies readonly OutboxState[];
export type DeliveryState = (typeof DELIVERY_STATES)[number];

const PENDING: ReadonlySet<DeliveryState> = new Set(['waiting', 'delivering', 'retrying']);

/** An action's delivery by the engine (action_outbox + outbox_deliveries, migration 110). */
export interface DeliveryView {
  /** webhook or log, as recorded at approval. */
  readonly channel: string;
  readonly state: DeliveryState;
  readonly attempts: number;
  /**
   * The last failed attempt's reason as the dispatcher stores it: an HTTP status, a network error
   * code, a timeout or a channel configuration change, never a URL, header or receiver's body
   * (apps/runtime/src/outbox/dispatcher.ts).
   */
  readonly lastError: string | null;
  /** When the next attempt is due (null: the first one is due as soon as queued, or none will come). */
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
}

/** Types the rows, not checked at run time (row-types.ts). */
const DeliveryRow = z.object({
  action_id: z.string(),
  channel_kind: z.string(),
  state: z.enum(DELIVERY_STATES),
  attempts: z.number(),
  last_error: z.string().nullable(),
  next_attempt_at: z.number().nullable(),
  delivered_at: z.number().nullable(),
});

/**
 * The engine's deliveries of the given actions, by action id; an action never queued for the
 * engine to deliver (proposed, rejected, or delivered by MAOS) has none. The state is the outbox
 * entry's, as the operators' outbox list decides it (outboxStateSql, projections/action-outbox):
 * for a delivery entry one of DELIVERY_STATES.
 *
 * Neither table has a policy or grant for `authenticated` (migration 110): call this with the
 * API's own role, for actions a read the caller may make has already returned.
 */
export async function deliveriesOf(db: CommonQueryMethods, actionIds: readonly string[], now: Date): Promise<Map<string, DeliveryView>> {
  if (actionIds.length === 0) return new Map();
  const rows = await db.any(sql.type(DeliveryRow)`
    SELECT o.action_id, o.channel_kind,
      ${outboxStateSql(now)} AS state,
      coalesce(d.attempts, 0)::int AS attempts, d.last_error, d.next_attempt_at, d.delivered_at
    FROM action_outbox o LEFT JOIN outbox_deliveries d ON d.kind = o.kind AND d.action_id = o.action_id
    WHERE o.kind = 'delivery' AND o.action_id = ANY(${sql.array(actionIds, 'uuid')})`);
  return new Map(
    rows.map((r) => [
      r.action_id,
      {
        channel: r.channel_kind,
        state: r.state,
        attempts: r.attempts,
        lastError: r.last_error,
        // Only while another attempt may come: a finished delivery keeps its last schedule in the table.
        nextAttemptAt: PENDING.has(r.state) ? isoTimestamp(r.next_attempt_at) : null,
        deliveredAt: isoTimestamp(r.delivered_at),
      },
    ]),
  );
}

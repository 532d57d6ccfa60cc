import { sql } from '#database';

/** Where an outbox entry stands (listOutbox in apps/runtime, the actions' deliveries in the revenue read model). */
export const OUTBOX_STATES = ['waiting', 'delivering', 'retrying', 'gave-up', 'sent', 'failed', 'expired', 'notified', 'moot'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/**
 * The state of an outbox entry at `now`, over action_outbox aliased `o` LEFT JOINed to
 * outbox_deliveries aliased `d` (migration 110; `d` is null while the dispatcher has not seen the
 * entry). A delivery is settled only as sent, failed or expired (action-outbox.projection.ts), so
 * a delivery entry is one of waiting, delivering, retrying, gave-up, sent, failed or expired; a
 * proposal notice one of waiting, delivering, retrying, gave-up, notified or moot.
 */
export function outboxStateSql(now: Date) {
  const at = now.toISOString();
  return sql.fragment`CASE
    WHEN o.settled_as IN ('sent', 'failed', 'expired') AND o.kind = 'delivery' THEN o.settled_as
    WHEN o.settled_at IS NOT NULL THEN CASE WHEN d.delivered_at IS NOT NULL THEN 'notified' ELSE 'moot' END
    WHEN d.gave_up_at IS NOT NULL THEN 'gave-up'
    WHEN d.delivered_at IS NOT NULL THEN CASE WHEN o.kind = 'proposal' THEN 'notified' ELSE 'sent' END
    WHEN d.locked_until > ${at}::timestamptz THEN 'delivering'
    WHEN coalesce(d.attempts, 0) > 0 THEN 'retrying'
    ELSE 'waiting' END`;
}

import { z } from 'zod';
import { isoTimestamp, sql, type CommonQueryMethods } from '#database';
import { OUTBOX_STATES, outboxStateSql, type OutboxState } from '#read-models';

/** What `outbox` lists: where each entry stands, as the read model decides it (projections/action-outbox). */
export { OUTBOX_STATES, type OutboxState };

export type OutboxKind = 'delivery' | 'proposal';

/** An entry claimed for one attempt. */
export interface ClaimedEntry {
  readonly kind: OutboxKind;
  readonly actionId: string;
  readonly orgId: string;
  readonly actionType: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

const claimed = z.object({
  kind: z.enum(['delivery', 'proposal']),
  action_id: z.string(),
  org_id: z.string(),
  action_type: z.string(),
  attempts: z.number(),
});

/**
 * Claims up to `limit` due entries for one attempt each: the attempt is counted and the entry
 * leased to `instanceId` until `leaseUntil`, committed before anything is sent. Rows are locked
 * with SKIP LOCKED and re-checked after a concurrent claim, so two dispatchers never claim the
 * same entry at once; a dispatcher that dies leaves a lease that runs out, and the entry is
 * claimed again (at-least-once, same idempotency key).
 */
export async function claimDue(
  db: CommonQueryMethods,
  options: { kinds: readonly OutboxKind[]; now: Date; leaseUntil: Date; limit: number; instanceId: string },
): Promise<ClaimedEntry[]> {
  if (options.kinds.length === 0) return [];
  const now = options.now.toISOString();
  const kinds = sql.array(options.kinds, 'text');
  // Bookkeeping rows for entries seen for the first time (bounded per poll).
  await db.query(sql.unsafe`
    INSERT INTO outbox_deliveries (kind, action_id)
    SELECT o.kind, o.action_id FROM action_outbox o
    WHERE o.settled_at IS NULL AND o.kind = ANY(${kinds})
      AND NOT EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.kind = o.kind AND d.action_id = o.action_id)
    ORDER BY o.queued_at LIMIT 1000
    ON CONFLICT DO NOTHING`);
  const rows = await db.any(sql.type(claimed)`
    UPDATE outbox_deliveries d
    SET attempts = d.attempts + 1, locked_until = ${options.leaseUntil.toISOString()}, locked_by = ${options.instanceId},
        last_attempt_at = ${now}
    FROM (
      SELECT d.kind, d.action_id FROM outbox_deliveries d
      JOIN action_outbox o ON o.kind = d.kind AND o.action_id = d.action_id
      WHERE o.settled_at IS NULL AND d.kind = ANY(${kinds}) AND d.delivered_at IS NULL AND d.gave_up_at IS NULL
        AND coalesce(d.next_attempt_at, o.queued_at) <= ${now} AND (d.locked_until IS NULL OR d.locked_until <= ${now})
      ORDER BY coalesce(d.next_attempt_at, o.queued_at)
      LIMIT ${options.limit}
      FOR UPDATE OF d SKIP LOCKED
    ) c, action_outbox o
    WHERE d.kind = c.kind AND d.action_id = c.action_id AND o.kind = d.kind AND o.action_id = d.action_id
    RETURNING d.kind, d.action_id, o.org_id, o.action_type, d.attempts`);
  return rows.map((r) => ({ kind: r.kind, actionId: r.action_id, orgId: r.org_id, actionType: r.action_type, attempt: r.attempts }));
}

type Key = Pick<ClaimedEntry, 'kind' | 'actionId'>;

/** How an attempt ended, as the dispatcher records it (the domain records sent / failed itself). */
export type AttemptEnd =
  | { readonly as: 'delivered'; readonly at: Date }
  | { readonly as: 'retry'; readonly at: Date; readonly nextAttemptAt: Date; readonly error: string }
  | { readonly as: 'gave-up'; readonly at: Date; readonly error: string }
  /** Not attempted (the stream says the entry is moot or not yet deliverable): not counted. */
  | { readonly as: 'not-attempted'; readonly nextAttemptAt: Date };

export async function endAttempt(db: CommonQueryMethods, entry: Key, end: AttemptEnd): Promise<void> {
  const where = sql.unsafe`WHERE kind = ${entry.kind} AND action_id = ${entry.actionId}`;
  switch (end.as) {
    case 'delivered':
      await db.query(
        sql.unsafe`UPDATE outbox_deliveries SET delivered_at = ${end.at.toISOString()}, locked_until = NULL, last_error = NULL ${where}`,
      );
      return;
    case 'retry':
      await db.query(sql.unsafe`
        UPDATE outbox_deliveries SET next_attempt_at = ${end.nextAttemptAt.toISOString()}, locked_until = NULL, last_error = ${end.error}
        ${where}`);
      return;
    case 'gave-up':
      await db.query(
        sql.unsafe`UPDATE outbox_deliveries SET gave_up_at = ${end.at.toISOString()}, locked_until = NULL, last_error = ${end.error} ${where}`,
      );
      return;
    case 'not-attempted':
      await db.query(sql.unsafe`
        UPDATE outbox_deliveries SET attempts = greatest(attempts - 1, 0), next_attempt_at = ${end.nextAttemptAt.toISOString()},
          locked_until = NULL
        ${where}`);
      return;
  }
}

/** What needs an operator's eye unless asked otherwise: not sent, failed or moot yet. */
export const OPEN_OUTBOX_STATES: readonly OutboxState[] = ['waiting', 'delivering', 'retrying', 'gave-up'];

const listed = z.object({
  kind: z.enum(['delivery', 'proposal']),
  action_id: z.string(),
  org_id: z.string(),
  action_type: z.string(),
  channel_kind: z.string(),
  state: z.enum(OUTBOX_STATES),
  attempts: z.number(),
  queued_at: z.number(),
  next_attempt_at: z.number().nullable(),
  last_attempt_at: z.number().nullable(),
  last_error: z.string().nullable(),
  settled_at: z.number().nullable(),
});

export interface OutboxRow {
  readonly kind: OutboxKind;
  readonly actionId: string;
  readonly orgId: string;
  readonly actionType: string;
  readonly channelKind: string;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly queuedAt: string;
  readonly nextAttemptAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly lastError: string | null;
  readonly settledAt: string | null;
}

/**
 * The outbox as operators read it (CLI `outbox`, GET /api/ops/outbox): newest first, filtered
 * by state; with the last error.
 */
export async function listOutbox(
  db: CommonQueryMethods,
  options: { kind: OutboxKind; states: readonly OutboxState[]; limit: number; now: Date },
): Promise<OutboxRow[]> {
  const rows = await db.any(sql.type(listed)`
    SELECT * FROM (
      SELECT o.kind, o.action_id, o.org_id, o.action_type, o.channel_kind,
        ${outboxStateSql(options.now)} AS state,
        coalesce(d.attempts, 0)::int AS attempts,
        o.queued_at, d.next_attempt_at, d.last_attempt_at, d.last_error, o.settled_at
      FROM action_outbox o LEFT JOIN outbox_deliveries d ON d.kind = o.kind AND d.action_id = o.action_id
      WHERE o.kind = ${options.kind}
    ) e
    WHERE e.state = ANY(${sql.array(options.states, 'text')})
    ORDER BY e.queued_at DESC, e.action_id
    LIMIT ${options.limit}`);
  return rows.map((r) => ({
    kind: r.kind,
    actionId: r.action_id,
    orgId: r.org_id,
    actionType: r.action_type,
    channelKind: r.channel_kind,
    state: r.state,
    attempts: r.attempts,
    queuedAt: isoTimestamp(r.queued_at),
    nextAttemptAt: isoTimestamp(r.next_attempt_at),
    lastAttemptAt: isoTimestamp(r.last_attempt_at),
    lastError: r.last_error,
    settledAt: isoTimestamp(r.settled_at),
  }));
}

/** For the metrics: unsettled entries per kind and the age of the oldest, in seconds. */
export async function outboxBacklog(
  db: CommonQueryMethods,
  kinds: readonly OutboxKind[],
  now: Date,
): Promise<Array<{ kind: OutboxKind; waiting: number; oldestSeconds: number }>> {
  const rows = await db.any(sql.unsafe`
    SELECT o.kind, count(*)::int AS waiting, coalesce(extract(epoch FROM ${now.toISOString()}::timestamptz - min(o.queued_at)), 0)::float8 AS oldest
    FROM action_outbox o LEFT JOIN outbox_deliveries d ON d.kind = o.kind AND d.action_id = o.action_id
    WHERE o.settled_at IS NULL AND o.kind = ANY(${sql.array(kinds, 'text')}) AND d.delivered_at IS NULL AND d.gave_up_at IS NULL
    GROUP BY o.kind`);
  return rows.map((r) => ({ kind: r.kind as OutboxKind, waiting: Number(r.waiting), oldestSeconds: Math.max(0, Number(r.oldest)) }));
}

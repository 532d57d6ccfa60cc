import { sql } from '#database';
import type { Projection } from '#projection-runner';
import { REVENUE_EVENT_TYPES, type ActionSent } from '#revenue';

/**
 * Charges for sent actions: one credit_ledger row per action and the same amount taken from
 * token_wallets.balance, in the projection's transaction — so exactly once per action.
 *
 * token_wallets is the platform's table, not ours, so a rebuild must not charge again: a wallet
 * is debited only for a charge the LIVE ledger does not hold yet. While rebuilding, the shadow
 * ledger is written and the live one (hard-coded name on purpose) already has the old charges;
 * in live mode the statement's snapshot does not see its own insert, so new charges debit once.
 * Debits stop at zero: reservations made sure the credits were there when the action was proposed.
 */
export const creditLedger: Projection<ActionSent> = {
  name: 'credit-ledger',
  version: 1,
  eventTypes: [REVENUE_EVENT_TYPES.actionSent],
  tables: ['credit_ledger'],
  onError: 'halt',
  async apply(tx, events, tables) {
    const rows = events.map((e) => [e.data.orgId, e.data.actionId, e.data.creditsCharged, e.metadata.eventId, e.data.sentAt]);
    if (rows.length === 0) return;
    await tx.query(sql.unsafe`
      WITH charges AS (
        SELECT * FROM ${sql.unnest(rows, ['uuid', 'uuid', 'numeric', 'uuid', 'timestamptz'])} AS t(org_id, action_id, amount, event_id, recorded_at)
      ), inserted AS (
        INSERT INTO ${tables.of('credit_ledger')} (org_id, action_id, kind, amount, event_id, recorded_at)
        SELECT org_id, action_id, 'charge', amount, event_id, recorded_at FROM charges
        ON CONFLICT (action_id, kind) DO NOTHING
        RETURNING org_id, action_id, amount
      ), debits AS (
        SELECT i.org_id, sum(i.amount) AS amount FROM inserted i
        WHERE NOT EXISTS (SELECT 1 FROM public.credit_ledger live WHERE live.action_id = i.action_id AND live.kind = 'charge')
        GROUP BY i.org_id
      )
      UPDATE token_wallets w SET balance = greatest(w.balance - d.amount, 0), updated_at = now()
      FROM debits d WHERE w.org_id = d.org_id`);
  },
};

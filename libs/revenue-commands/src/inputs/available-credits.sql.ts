import { sql, type CommonQueryMethods } from '#database';
import { subtractCredits, toCreditUnits, fromCreditUnits, type RevenueAccountState } from '#revenue';

/**
 * Credits the org can still reserve, before its outstanding reservations (the decider subtracts
 * those): the wallet balance minus the charges in the stream that the credit-ledger projection
 * has not yet taken from the wallet. Balance and ledger total come from one snapshot, and the
 * projection changes both in one transaction, so the difference is exact. No wallet: 0.
 */
export async function availableCredits(db: CommonQueryMethods, orgId: string, state: RevenueAccountState): Promise<number> {
  const row = await db.maybeOne(sql.unsafe`
    SELECT w.balance::text AS balance,
      (SELECT coalesce(sum(l.amount), 0) FROM credit_ledger l WHERE l.org_id = w.org_id)::text AS debited
    FROM token_wallets w WHERE w.org_id = ${orgId}`);
  if (!row) return 0;
  const pendingDebits = fromCreditUnits(toCreditUnits(state.creditsCharged) - toCreditUnits(Number(row.debited)));
  return subtractCredits(Number(row.balance), Math.max(0, pendingDebits));
}

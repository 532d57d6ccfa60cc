import { sql, type CommonQueryMethods } from '#database';
import { subtractCredits, toCreditUnits, fromCreditUnits, type Credits, type RevenueAccountState } from '#revenue';

/**
 * Credits each org can still reserve, before its outstanding reservations (the decider subtracts
 * those): the wallet balance minus the charges in the stream (`charged`, the state's
 * creditsCharged) that the credit-ledger projection has not yet taken from the wallet. Balance and
 * ledger total come from one snapshot, and the projection changes both in one transaction, so the
 * difference is exact. No wallet: 0. One statement for a whole page of orgs (the fleet sweep).
 */
export async function availableCreditsOfOrgs(db: CommonQueryMethods, charged: ReadonlyMap<string, Credits>): Promise<Map<string, Credits>> {
  const credits = new Map([...charged.keys()].map((orgId): [string, Credits] => [orgId, 0]));
  if (charged.size === 0) return credits;
  const rows = await db.any(sql.unsafe`
    SELECT w.org_id, w.balance::text AS balance,
      (SELECT coalesce(sum(l.amount), 0) FROM credit_ledger l WHERE l.org_id = w.org_id)::text AS debited
    FROM token_wallets w WHERE w.org_id = ANY(${sql.array([...charged.keys()], 'uuid')})`);
  for (const row of rows) {
    const orgId = row.org_id as string;
    const pendingDebits = fromCreditUnits(toCreditUnits(charged.get(orgId) ?? 0) - toCreditUnits(Number(row.debited)));
    credits.set(orgId, subtractCredits(Number(row.balance), Math.max(0, pendingDebits)));
  }
  return credits;
}

/** The same, for one org and the state it is decided on. */
export async function availableCredits(db: CommonQueryMethods, orgId: string, state: RevenueAccountState): Promise<Credits> {
  const credits = await availableCreditsOfOrgs(db, new Map([[orgId, state.creditsCharged]]));
  return credits.get(orgId) ?? 0;
}

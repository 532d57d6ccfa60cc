import { sql, type CommonQueryMethods } from '#database';
import { isUuid } from '#database';

export class UnknownOrganizationError extends Error {
  override readonly name = 'UnknownOrganizationError';
  constructor(readonly orgId: string) {
    super(`organization ${orgId} does not exist`);
  }
}

/** Commands for an org that does not exist are refused before any event is written. */
export async function assertOrganizationExists(db: CommonQueryMethods, orgId: string): Promise<void> {
  if (!isUuid(orgId) || !(await db.exists(sql.unsafe`SELECT 1 FROM organizations WHERE id = ${orgId}`))) {
    throw new UnknownOrganizationError(orgId);
  }
}

import { sql, type CommonQueryMethods } from '#database';

export class UnknownOrganizationError extends Error {
  override readonly name = 'UnknownOrganizationError';
  constructor(readonly orgId: string) {
    super(`organization ${orgId} does not exist`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Commands for an org that does not exist are refused before any event is written. */
export async function assertOrganizationExists(db: CommonQueryMethods, orgId: string): Promise<void> {
  if (!UUID.test(orgId) || !(await db.exists(sql.unsafe`SELECT 1 FROM organizations WHERE id = ${orgId}`))) {
    throw new UnknownOrganizationError(orgId);
  }
}

import { sql, withRlsSession, type DatabasePool, type DatabaseTransactionConnection } from '#database';
import type { OrgContext } from '../http/api-request.js';
import type { Principal } from './principal.js';

/** The scope that admits a service token to the org reads (@OrgRead: opportunities, expansion, actions, summary). */
export const ORG_READ_SERVICE_SCOPE = 'maos:read';

/**
 * Runs one org read as the guard admitted its caller, in one transaction (one snapshot):
 * - a user (owner or admin of the org) under RLS, as role `authenticated` with their claims, exactly
 *   as before services could read: PostgreSQL itself hides every other org's rows;
 * - a service token the guard admitted to this org (role `service`: it named an org that exists)
 *   as the API's own database role, the read models' owner, which RLS does not filter; the
 *   transaction is READ ONLY, so a query bug cannot write through it. The queries filter by
 *   `org.orgId` themselves, as they do for users.
 * Nothing else: a principal/org pair the guard cannot have produced is a programming error.
 */
export function readOrg<T>(
  pool: DatabasePool,
  principal: Principal,
  org: OrgContext,
  read: (tx: DatabaseTransactionConnection) => Promise<T>,
): Promise<T> {
  if (principal.kind === 'user' && org.role !== 'service') return withRlsSession(pool, principal.claims, read);
  if (principal.kind === 'service' && org.role === 'service') {
    return pool.transaction(async (tx) => {
      await tx.query(sql.unsafe`SET TRANSACTION READ ONLY`);
      return read(tx);
    });
  }
  throw new Error(`readOrg: a ${principal.kind} principal with org role ${org.role} cannot come from the access guard`);
}

import { sql, type DatabasePool, type DatabaseTransactionConnection } from './pool.js';
import { isUuid } from './uuid.js';

/**
 * The JWT claims a read runs under: PostgreSQL's `auth.uid()` reads `sub`, and the RLS
 * policies of migration 103 admit the rows of orgs where that user is owner or admin.
 */
export interface RlsClaims {
  readonly sub: string;
  readonly role: 'authenticated';
  readonly [claim: string]: unknown;
}

export class RlsClaimsError extends Error {
  override readonly name = 'RlsClaimsError';
}

/**
 * Runs `fn` in a transaction as role `authenticated` with the request's claims set, as
 * PostgREST does for Supabase: both settings are transaction-local, so they end with the
 * transaction and never leak to the next user of the pooled connection. A bug in a query
 * (a forgotten WHERE org_id) still cannot return another org's rows.
 */
export async function withRlsSession<T>(
  pool: DatabasePool,
  claims: RlsClaims,
  fn: (tx: DatabaseTransactionConnection) => Promise<T>,
): Promise<T> {
  assertClaims(claims);
  return pool.transaction(async (tx) => {
    // One round trip; set_config('role', ..., true) is SET LOCAL ROLE.
    await tx.query(
      sql.unsafe`SELECT set_config('request.jwt.claims', ${JSON.stringify(claims)}, true), set_config('role', 'authenticated', true)`,
    );
    return fn(tx);
  });
}

function assertClaims(claims: RlsClaims): void {
  if (typeof claims?.sub !== 'string' || !isUuid(claims.sub)) {
    throw new RlsClaimsError('RLS claims need a `sub` that is a user id (uuid)');
  }
  if (claims.role !== 'authenticated') {
    throw new RlsClaimsError(`RLS claims need role 'authenticated', got ${JSON.stringify(claims.role)}`);
  }
}

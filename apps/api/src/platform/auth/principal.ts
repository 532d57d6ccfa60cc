import type { RlsClaims } from '#database';
import { isUuid } from '#database';

/** A signed-in user of the platform (Supabase: role `authenticated`, `sub` = user id). */
export interface UserPrincipal {
  readonly kind: 'user';
  readonly id: string;
  /** The verified claims, handed to PostgreSQL as `request.jwt.claims` for RLS reads. */
  readonly claims: RlsClaims;
}

/** A platform service such as MAOS: role `service_role` and a space-separated `scope` claim. */
export interface ServicePrincipal {
  readonly kind: 'service';
  readonly id: string;
  readonly scopes: ReadonlySet<string>;
}

export type Principal = UserPrincipal | ServicePrincipal;

/**
 * Decides who a verified token speaks for, or returns why it cannot be used. A user token's
 * `scope` claim is ignored on purpose: scopes are granted to services only, so a user can
 * never reach the MAOS command API whatever claims their token carries.
 */
export function principalFromClaims(payload: Readonly<Record<string, unknown>>): Principal | string {
  const { sub, role, scope } = payload;
  if (typeof sub !== 'string' || sub === '') return 'the token has no subject';
  if (role === 'authenticated') {
    if (!isUuid(sub)) return 'the token subject is not a user id';
    return { kind: 'user', id: sub.toLowerCase(), claims: { ...payload, sub: sub.toLowerCase(), role } };
  }
  if (role === 'service_role') {
    const scopes = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
    if (scopes.length === 0) return 'a service token needs a scope claim';
    return { kind: 'service', id: sub, scopes: new Set(scopes) };
  }
  return `tokens with role ${JSON.stringify(role ?? null)} are not accepted`;
}

/** The key rate limits and logs use: stable per caller, and an id, never a person's data. */
export const principalKey = (p: Principal): string => `${p.kind}:${p.id}`;

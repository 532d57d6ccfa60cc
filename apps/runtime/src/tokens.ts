import { SignJWT } from 'jose';

/** The scopes the API grants to service tokens (apps/api: @RequireScope / @AlsoForServices). */
export const SERVICE_SCOPES = [
  'maos:read',
  'maos:approve',
  'maos:dispatch',
  'maos:erase',
  'audit:read',
  'ops:read',
  'analytics:read',
] as const;

export type TokenSubject =
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'service'; readonly name: string; readonly scopes: readonly string[] };

export interface MintedToken {
  readonly token: string;
  readonly kind: 'user' | 'service';
  readonly sub: string;
  readonly scope: string | null;
  readonly expiresAt: string;
}

/**
 * A Supabase-compatible access token for trying the API: a user (`sub` = user id, role
 * authenticated) or a platform service such as MAOS (role service_role and a `scope` claim),
 * HS256-signed with the API's JWT_SECRET, audience (and issuer) as the API checks them.
 */
export async function mintToken(
  subject: TokenSubject,
  settings: { readonly secret: string; readonly audience: string; readonly issuer?: string | undefined; readonly expiresIn: string },
): Promise<MintedToken> {
  const scope = subject.kind === 'service' ? subject.scopes.join(' ') : null;
  const sub = subject.kind === 'user' ? subject.userId.toLowerCase() : subject.name;
  const claims = scope ? { role: 'service_role', scope } : { role: 'authenticated' };
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(settings.expiresIn);
  if (settings.issuer) jwt.setIssuer(settings.issuer);
  const token = await jwt.sign(new TextEncoder().encode(settings.secret));
  const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
  return { token, kind: subject.kind, sub, scope, expiresAt: new Date(exp * 1000).toISOString() };
}

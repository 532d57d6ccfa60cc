import { SignJWT } from 'jose';
import { isUuid } from '#database';

/**
 * A Supabase-compatible access token for trying the API: `sub` = user id, role authenticated,
 * audience JWT_AUDIENCE; with --scope, a MAOS service token instead.
 */
export async function mintToken(
  env: Readonly<Record<string, string | undefined>>,
  options: { sub?: string | undefined; scope?: string | undefined; expiresIn?: string | undefined },
): Promise<{ token: string }> {
  const secret = env.JWT_SECRET;
  if (!secret || secret.length < 32) throw new Error('JWT_SECRET must be set (at least 32 characters), the same as the API uses');
  if (!options.sub || (!options.scope && !isUuid(options.sub)))
    throw new Error('--sub must be a user id (uuid); a service token (--scope) may use any id');
  const claims = options.scope ? { role: 'service_role', scope: options.scope } : { role: 'authenticated' };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setAudience(env.JWT_AUDIENCE ?? 'authenticated')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(secret));
  return { token };
}

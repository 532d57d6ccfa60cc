import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { TEST_JWT_SECRET } from '#api';

/**
 * Test-only: mints Supabase-style HS256 access tokens. Defaults match the API's test config
 * (secret TEST_JWT_SECRET, audience `authenticated`, valid for 5 minutes).
 */
export interface MintOptions {
  readonly secret?: string;
  readonly audience?: string | null;
  readonly issuer?: string;
  /** Seconds from now; negative for an already expired token; null for no exp claim. */
  readonly expiresIn?: number | null;
}

export async function mintToken(claims: Record<string, unknown>, options: MintOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(now - 60);
  if (options.audience !== null) jwt.setAudience(options.audience ?? 'authenticated');
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 300));
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

/** A platform user (role `authenticated`); `sub` defaults to a fresh user id. */
export function userToken(sub: string = randomUUID(), options: MintOptions & { extra?: Record<string, unknown> } = {}): Promise<string> {
  return mintToken({ sub, role: 'authenticated', email: `${sub}@example.test`, ...options.extra }, options);
}

/** A platform service such as MAOS: role `service_role` with space-separated scopes. */
export function serviceToken(scope: string, options: MintOptions & { sub?: string } = {}): Promise<string> {
  return mintToken({ sub: options.sub ?? 'maos', role: 'service_role', scope }, options);
}

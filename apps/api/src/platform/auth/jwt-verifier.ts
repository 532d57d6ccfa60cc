import { errors, jwtVerify } from 'jose';
import { problems, type ProblemException } from '../errors/problem.js';
import { type Principal, principalFromClaims } from './principal.js';

export interface JwtSettings {
  readonly secret: string;
  readonly audience: string;
  readonly issuer?: string;
}

export type VerifyToken = (token: string) => Promise<Principal>;

/**
 * Supabase-compatible access tokens: HS256 only (no `alg: none`, no algorithm confusion),
 * `exp` required and checked without leeway, `aud` (and `iss` when configured) must match.
 * Failures become 401 problems whose detail says what to fix without echoing the token.
 */
export function createJwtVerifier(settings: JwtSettings): VerifyToken {
  const key = new TextEncoder().encode(settings.secret);
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        audience: settings.audience,
        ...(settings.issuer ? { issuer: settings.issuer } : {}),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw rejection(error);
    }
    const principal = principalFromClaims(payload);
    if (typeof principal === 'string') throw problems.invalidToken(`The access token is not usable: ${principal}.`);
    return principal;
  };
}

function rejection(error: unknown): ProblemException {
  if (error instanceof errors.JWTExpired) return problems.invalidToken('The access token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed)
    return problems.invalidToken(`The access token's ${error.claim} claim is not accepted.`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return problems.invalidToken('The access token signature is invalid.');
  if (error instanceof errors.JOSEAlgNotAllowed) return problems.invalidToken('The access token must be signed with HS256.');
  if (error instanceof errors.JOSEError) return problems.invalidToken('The access token is malformed.');
  throw error; // not a token problem: let the filter answer 500 and log it
}

import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { problems } from '../errors/problem.js';
import { type ApiRequest, singleHeader } from '../http/api-request.js';
import { VERIFIED_TOKEN_CACHE_ENTRIES, VERIFY_TOKEN } from '../tokens.js';
import { ORG_SCOPED_KEY, PUBLIC_KEY, SCOPES_KEY, SERVICE_SCOPES_KEY } from './decorators.js';
import type { VerifyToken } from './jwt-verifier.js';
import { OrgResolver } from './org-resolver.js';
import { type Principal, principalKey } from './principal.js';
import { FixedWindowRateLimiter } from './rate-limiter.js';
import { ExpiringCache } from './expiring-cache.js';

const VERIFIED_TOKENS = 10_000;

/**
 * Access tokens the verifier accepted, by their exact text, each until its own `exp`: the same
 * bytes carry the same signature and claims, so only the clock can change the verdict, and `exp`
 * is checked again on every use (as the verifier does: expired once exp <= now, no leeway; an
 * expired token goes back to the verifier, which answers its 401). Saves the HMAC (WebCrypto,
 * asynchronous) and the claim checks per request. Bounded: cleared when full.
 */
export class VerifiedTokens {
  private readonly entries: ExpiringCache<Principal>;

  constructor(capacity: number = VERIFIED_TOKENS, nowMs: () => number = Date.now) {
    this.entries = new ExpiringCache(capacity, () => Math.floor(nowMs() / 1000));
  }

  get(token: string): Principal | undefined {
    return this.entries.get(token);
  }

  /** Call only with a token the verifier has just accepted. */
  remember(token: string, principal: Principal): Principal {
    const exp = expiryOf(token);
    if (exp !== undefined) this.entries.set(token, Object.freeze(principal), exp);
    return principal;
  }
}

/** The `exp` of a token the verifier accepted (it requires one); undefined if unreadable. */
function expiryOf(token: string): number | undefined {
  try {
    const exp: unknown = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The single global guard, so the order is explicit: authenticate (401), rate-limit per
 * token subject (429), authorize the kind of caller and scopes (403), then resolve the org
 * (400/404) — the database is only asked once the caller is known and within its budget.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(VERIFY_TOKEN) private readonly verify: VerifyToken,
    private readonly limiter: FixedWindowRateLimiter,
    private readonly orgs: OrgResolver,
    @Optional() @Inject(VERIFIED_TOKEN_CACHE_ENTRIES) verifiedTokens?: number,
  ) {
    this.verified = new VerifiedTokens(verifiedTokens ?? VERIFIED_TOKENS);
  }

  private readonly verified: VerifiedTokens;

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<ApiRequest>();

    const token = bearerToken(request);
    const principal = this.verified.get(token) ?? this.verified.remember(token, await this.verify(token));
    request.principal = principal;
    this.applyRateLimit(principal, http.getResponse());
    authorize(
      principal,
      this.reflector.getAllAndOverride<string[]>(SCOPES_KEY, targets),
      this.reflector.getAllAndOverride<string[]>(SERVICE_SCOPES_KEY, targets),
    );
    if (this.reflector.getAllAndOverride<boolean>(ORG_SCOPED_KEY, targets)) {
      request.org = await this.orgs.resolve(principal, singleHeader(request, 'x-org-id'));
    }
    return true;
  }

  private applyRateLimit(principal: Principal, response: unknown): void {
    const decision = this.limiter.hit(principalKey(principal));
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(response, 'RateLimit-Limit', String(decision.limit));
    adapter.setHeader(response, 'RateLimit-Remaining', String(decision.remaining));
    adapter.setHeader(response, 'RateLimit-Reset', String(decision.resetSeconds));
    if (!decision.allowed) throw problems.rateLimited(decision.resetSeconds);
  }
}

function bearerToken(request: ApiRequest): string {
  const header = singleHeader(request, 'authorization');
  const match = header ? /^Bearer +([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
  if (!header) throw problems.missingToken();
  if (!match?.[1]) throw problems.invalidToken('The Authorization header must be "Bearer <jwt>".');
  return match[1];
}

function authorize(principal: Principal, scopes: readonly string[] | undefined, alsoForServices?: readonly string[]): void {
  if (!scopes?.length && alsoForServices?.length && principal.kind === 'service') return authorize(principal, alsoForServices);
  if (!scopes?.length) {
    if (principal.kind === 'service') throw problems.forbidden('This route is for users; service tokens cannot use it.');
    return;
  }
  if (principal.kind !== 'service') throw problems.forbidden(`This route needs a service token with scope ${scopes.join(' ')}.`);
  const missing = scopes.filter((s) => !principal.scopes.has(s));
  if (missing.length) throw problems.forbidden(`The service token lacks scope ${missing.join(' ')}.`);
}

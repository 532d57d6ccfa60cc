import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ApiRequest, OrgContext } from '../http/api-request.js';
import type { Principal } from './principal.js';

export const PUBLIC_KEY = 'api:public';
export const SCOPES_KEY = 'api:scopes';
export const ORG_SCOPED_KEY = 'api:org-scoped';
export const SERVICE_SCOPES_KEY = 'api:service-scopes';

/** No token needed (health, metrics, docs). Everything else requires one. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/**
 * For service tokens only (MAOS): the token must carry every listed scope. Routes without it
 * are for users (role `authenticated`); a service token there gets 403.
 */
export const RequireScope = (...scopes: [string, ...string[]]) => SetMetadata(SCOPES_KEY, scopes);

/**
 * A user route that services may use too, when their token carries every listed scope
 * (audit reads: owners/admins, or a service with `audit:read` naming the org).
 */
export const AlsoForServices = (...scopes: [string, ...string[]]) => SetMetadata(SERVICE_SCOPES_KEY, scopes);

/**
 * The route reads or changes one org's data: the guard resolves the org (X-Org-Id, or the
 * user's only org) and admits owners and admins; everyone else gets the same 404.
 */
export const OrgScoped = () => SetMetadata(ORG_SCOPED_KEY, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<ApiRequest>().principal;
});

/** The org resolved by the guard; only on @OrgScoped routes. */
export const CurrentOrg = createParamDecorator((_: unknown, ctx: ExecutionContext): OrgContext => {
  const org = ctx.switchToHttp().getRequest<ApiRequest>().org;
  if (!org) throw new Error('@CurrentOrg() used on a route without @OrgScoped()');
  return org;
});

export const CorrelationId = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  return ctx.switchToHttp().getRequest<ApiRequest>().correlationId;
});

import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../auth/principal.js';

/** What the API reads from a request's org selection once the access guard has run. */
export interface OrgContext {
  readonly orgId: string;
  /** The caller's role in the org; `service` for a scoped service token. */
  readonly role: 'owner' | 'admin' | 'service';
}

/**
 * The fields the platform layer sets on the framework's request object (Express or Fastify:
 * both expose `headers` and `method`, and keep the same object through the whole request).
 */
export interface ApiRequest {
  readonly headers: IncomingHttpHeaders;
  readonly method: string;
  /** The request-target as received (path and query). */
  readonly url?: string;
  correlationId?: string;
  startedAt?: bigint;
  principal?: Principal;
  org?: OrgContext;
}

export function singleHeader(request: { readonly headers: IncomingHttpHeaders }, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** What a pasted token lets the dashboard offer, read from its payload (the service verifies it: this only picks views). */

export type View = 'overview' | 'opportunities' | 'approvals' | 'operations' | 'effect';
export const VIEW_LABELS: Readonly<Record<View, string>> = {
  overview: 'Overview',
  opportunities: 'Opportunities',
  approvals: 'Approvals',
  operations: 'Operations',
  effect: 'Effect',
};

export interface Principal {
  readonly kind: 'user' | 'service';
  readonly sub: string;
  readonly scopes: readonly string[];
  /** Seconds since the epoch, when the token says. */
  readonly exp: number | undefined;
  /** The views this principal may use, in menu order. */
  readonly views: readonly View[];
  /** Whether the principal may approve and reject (service scope maos:approve). */
  readonly canApprove: boolean;
  /** Where its org list comes from: /api/me/orgs (users) or /api/maos/orgs (operators); null: no org views. */
  readonly orgSource: 'me' | 'maos' | null;
}

function base64UrlDecode(part: string): string {
  const base64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The JWT's payload, or an Error saying why the text is not a usable token. */
export function decodeTokenPayload(token: string): Record<string, unknown> | Error {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[1]) return new Error('This is not a JWT (three dot-separated parts).');
  try {
    const payload: unknown = JSON.parse(base64UrlDecode(parts[1]));
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      return new Error('The token payload is not a JSON object.');
    return payload as Record<string, unknown>;
  } catch {
    return new Error('The token payload cannot be decoded.');
  }
}

function scopesOf(claim: unknown): string[] {
  if (typeof claim === 'string') return claim.split(/\s+/).filter(Boolean);
  if (Array.isArray(claim)) return claim.filter((s): s is string => typeof s === 'string');
  return [];
}

/** The principal a token names (apps/runtime/src/tokens.ts: users have role authenticated, services role service_role and a `scope` claim). */
export function principalOf(token: string, nowSeconds = Date.now() / 1000): Principal | Error {
  const payload = decodeTokenPayload(token);
  if (payload instanceof Error) return payload;
  const sub = typeof payload.sub === 'string' ? payload.sub : '';
  if (!sub) return new Error('The token has no subject (sub).');
  const exp = typeof payload.exp === 'number' ? payload.exp : undefined;
  if (exp !== undefined && exp <= nowSeconds) return new Error(`The token expired at ${new Date(exp * 1000).toISOString()}.`);
  if (payload.role !== 'service_role') {
    return { kind: 'user', sub, scopes: [], exp, views: ['overview', 'opportunities'], canApprove: false, orgSource: 'me' };
  }
  const scopes = scopesOf(payload.scope);
  const operator = scopes.includes('maos:read');
  const views: View[] = [];
  if (operator) views.push('overview', 'opportunities', 'approvals');
  if (scopes.includes('ops:read')) views.push('operations');
  // Fleet-wide, like Operations: no org to choose first.
  if (scopes.includes('analytics:read')) views.push('effect');
  return {
    kind: 'service',
    sub,
    scopes,
    exp,
    views,
    canApprove: operator && scopes.includes('maos:approve'),
    orgSource: operator ? 'maos' : null,
  };
}

export const REMEMBER_KEY = 'revenue-engine.dashboard.token';

/** localStorage, or null where it cannot be used (private mode, sandboxed frame). */
export function deviceStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

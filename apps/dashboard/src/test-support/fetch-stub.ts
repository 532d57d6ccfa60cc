import { vi } from 'vitest';

/** One request the page made, as the service would see it. */
export interface Call {
  readonly method: string;
  readonly url: URL;
  readonly path: string;
  readonly params: URLSearchParams;
  readonly headers: Headers;
  readonly body: unknown;
}

export type Handler = (call: Call) => Response | Promise<Response>;

export const BASE = 'http://api.test';

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

/** An error answer as the API writes it (application/problem+json). */
export function problem(status: number, title: string, detail: string, headers: Record<string, string> = {}): Response {
  return new Response(
    JSON.stringify({ type: `https://revenue-engine.dev/problems/${title.toLowerCase().replace(/\W+/g, '-')}`, title, status, detail }),
    {
      status,
      headers: { 'content-type': 'application/problem+json', ...headers },
    },
  );
}

/** Replaces fetch (the browser's boundary) with `handler`; returns the calls made, in order. */
export function stubFetch(handler: Handler): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = new URL(String(input));
      const call: Call = {
        method: init.method ?? 'GET',
        url,
        path: url.pathname,
        params: url.searchParams,
        headers: new Headers(init.headers),
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      };
      calls.push(call);
      return handler(call);
    }),
  );
  return calls;
}

/** A JWT as the API mints them (apps/runtime/src/tokens.ts); the signature is not checked by the page. */
export function fakeToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}.signature`;
}

export const USER_TOKEN = fakeToken({ sub: '6f1c1c4e-4a57-4a43-9d1c-0d4d0e6c0a01', role: 'authenticated', aud: 'authenticated' });
export const OPERATOR_TOKEN = fakeToken({ sub: 'operator-ada', role: 'service_role', scope: 'maos:read maos:approve audit:read' });
export const OPS_TOKEN = fakeToken({ sub: 'ops-bot', role: 'service_role', scope: 'ops:read' });

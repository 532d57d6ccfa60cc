import type { AbstractHttpAdapter } from '@nestjs/core';
import type { Histogram, Logger } from '#observability';
import { principalKey } from '../auth/principal.js';
import { type ApiRequest, singleHeader } from './api-request.js';
import { unsupportedBody } from './body-rules.js';
import { CORRELATION_HEADER, correlationIdFrom } from './correlation-id.js';
import type { RouteTable } from './route-table.js';

export type RequestDuration = Histogram<'method' | 'route' | 'status_code'>;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Adapter-level hooks, so they also see requests Nest never routes (unknown paths, bodies
 * the parser refused): every response carries a correlation id, is timed and logged once.
 * The log line holds ids only — no URL query, no headers, no body. A body that is not JSON,
 * sent to a route that exists, is refused here with 415, before either adapter parses it.
 */
export function installRequestHooks(adapter: AbstractHttpAdapter, logger: Logger, duration: RequestDuration, routes?: RouteTable): void {
  adapter.setOnRequestHook((request: ApiRequest, response: unknown, done: (error?: Error) => void) => {
    request.startedAt = process.hrtime.bigint();
    request.correlationId = correlationIdFrom(singleHeader(request, 'x-correlation-id'));
    adapter.setHeader(response, CORRELATION_HEADER, request.correlationId);
    const routed = routes?.has(request.method, request.url ?? '/') ?? true;
    done(routed ? unsupportedBody(request.method, request.headers) : undefined);
  });
  adapter.setOnResponseHook((request: ApiRequest, response: { statusCode: number }) => {
    const seconds = Number(process.hrtime.bigint() - (request.startedAt ?? process.hrtime.bigint())) / 1e9;
    const method = METHODS.has(request.method) ? request.method : 'OTHER';
    const route = routeTemplate(request);
    const status = response.statusCode;
    duration.observe({ method, route, status_code: String(status) }, seconds);
    // Probes and scrapes arrive every few seconds: keep them out of the default log level.
    const level = status < 400 && (route.startsWith('/health/') || route === '/metrics') ? 'debug' : 'info';
    logger[level](
      {
        correlationId: request.correlationId,
        method,
        route,
        status,
        durationMs: Math.round(seconds * 1e4) / 10,
        principal: request.principal ? principalKey(request.principal) : undefined,
        orgId: request.org?.orgId,
      },
      'request',
    );
  });
}

/** The matched route pattern (`/api/x/:id`), never the raw path: bounded label values, no ids. */
function routeTemplate(request: unknown): string {
  const fastify = (request as { routeOptions?: { url?: string } }).routeOptions?.url;
  const express = (request as { route?: { path?: unknown } }).route?.path;
  return fastify ?? (typeof express === 'string' ? express : 'unmatched');
}

import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problems } from '../errors/problem.js';
import { toProblem } from '../errors/to-problem.js';
import type { HttpAdapterKind } from './adapter-kind.js';
import { clientErrorHandler } from './client-error.js';
import { CORRELATION_HEADER, correlationIdFrom } from './correlation-id.js';
import { RouteTable, recordRoutes } from './route-table.js';

export { DEFAULT_HTTP_ADAPTER, HTTP_ADAPTER_KINDS, type HttpAdapterKind } from './adapter-kind.js';

export interface HttpPlatform {
  readonly kind: HttpAdapterKind;
  readonly adapter: AbstractHttpAdapter;
  /** Every route registered on the adapter (platform/http/route-table.ts). */
  readonly routes: RouteTable;
  readonly nestOptions: Pick<NestApplicationOptions, 'bodyParser'>;
  /** Installs what must be registered on the created app before routes (the JSON body parser). */
  afterCreate(app: INestApplication): void;
}

/**
 * Path parameters are UUIDs; a longer one reaches its route, whose pipe answers 400 naming the
 * parameter (as on Express) instead of Fastify's own 414. The request line and headers stay
 * bounded by Node's maxHeaderSize (16 KiB: 431 problem beyond, see client-error.ts).
 */
const MAX_PARAM_LENGTH = 16_384;

/** JSON is the only body type the API accepts; bodies above `bodyLimit` bytes get a 413. */
export function createHttpPlatform(kind: HttpAdapterKind, bodyLimit: number): HttpPlatform {
  const routes = new RouteTable();
  if (kind === 'fastify') {
    return {
      kind,
      routes,
      // Fastify parses JSON itself and enforces the limit before buffering the whole body.
      adapter: recordRoutes(
        new FastifyAdapter({
          bodyLimit,
          logger: false,
          routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
          clientErrorHandler: clientErrorHandler(routes),
          // Errors Fastify answers before routing (a path that does not percent-decode), as problems.
          frameworkErrors: (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply) => {
            const correlationId = correlationIdFrom(singleValue(request.headers['x-correlation-id']));
            const exception = error.code === 'FST_ERR_BAD_URL' ? problems.malformedPath() : error;
            const path = request.url.split('?')[0] ?? '/';
            const problem = toProblem(exception, { instance: /^\/[\x21-\x7e]{0,256}$/.test(path) ? path : '/', correlationId });
            void reply
              .code(problem.status)
              .headers({ ...problem.headers, [CORRELATION_HEADER]: correlationId, 'Content-Type': PROBLEM_CONTENT_TYPE })
              .send(JSON.stringify(problem.body));
          },
        }),
        routes,
      ),
      nestOptions: { bodyParser: true },
      // Fastify's own JSON parser answers every refusal as "not valid JSON" (it drops the cause):
      // the same parse as Express instead, so a __proto__ member gets its own problem.
      afterCreate: (app) => {
        (app as NestFastifyApplication).useBodyParser('application/json', { bodyLimit }, (_request, body: Buffer, done) => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(body.toString('utf8'));
          } catch (error) {
            done(Object.assign(error as Error, { statusCode: 400 }), undefined); // the client's mistake, as body-parser marks it
            return;
          }
          const forbidden = forbiddenKeyIn(parsed);
          done(forbidden ?? null, forbidden ? undefined : parsed);
        });
      },
    };
  }
  return {
    kind,
    routes,
    adapter: recordRoutes(new ExpressAdapter(), routes),
    // Nest's default parsers would also take urlencoded bodies with a fixed 100 kB limit.
    nestOptions: { bodyParser: false },
    afterCreate: (app) => {
      // The same parse as Fastify's above: __proto__ members refused once parsed.
      (app as NestExpressApplication).useBodyParser('json', { limit: bodyLimit });
      app.use((request: { body?: unknown }, _response: unknown, next: (error?: Error) => void) => next(forbiddenKeyIn(request.body)));
      (app.getHttpServer() as import('node:http').Server).on('clientError', clientErrorHandler(routes));
    },
  };
}

/**
 * The member names secure-json-parse (Fastify's default parser) refuses, refused on both
 * adapters with a problem that says why: `__proto__`, and `constructor` holding `prototype`.
 * Checked after JSON.parse (which keeps them as plain own properties), walking without
 * recursion: a JSON.parse reviver would recurse, and a body nested 50,000 deep overflows it.
 */
function forbiddenKeyIn(value: unknown): Error | undefined {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null || typeof item !== 'object') continue;
    for (const [key, child] of Object.entries(item)) {
      if (key === '__proto__') return problems.forbiddenJsonKey();
      if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype'))
        return problems.forbiddenJsonKey();
      pending.push(child);
    }
  }
  return undefined;
}

const singleValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

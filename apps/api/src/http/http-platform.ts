import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

export const HTTP_ADAPTER_KINDS = ['express', 'fastify'] as const;
export type HttpAdapterKind = (typeof HTTP_ADAPTER_KINDS)[number];

/**
 * The one place that picks the HTTP platform. Fastify won bench/http-adapter.ts on the
 * project machine (2 cores, 5 rounds: median 9,045 vs 3,165 req/s, p99 20 vs 51 ms; see
 * apps/api/README.md). HTTP_ADAPTER=express switches back without code changes.
 */
export const DEFAULT_HTTP_ADAPTER: HttpAdapterKind = 'fastify';

export interface HttpPlatform {
  readonly kind: HttpAdapterKind;
  readonly adapter: AbstractHttpAdapter;
  readonly nestOptions: Pick<NestApplicationOptions, 'bodyParser'>;
  /** Installs what must be registered on the created app before routes (the JSON body parser). */
  afterCreate(app: INestApplication): void;
}

/** JSON is the only body type the API accepts; bodies above `bodyLimit` bytes get a 413. */
export function createHttpPlatform(kind: HttpAdapterKind, bodyLimit: number): HttpPlatform {
  if (kind === 'fastify') {
    return {
      kind,
      // Fastify parses JSON itself and enforces the limit before buffering the whole body.
      adapter: new FastifyAdapter({ bodyLimit, logger: false }),
      nestOptions: { bodyParser: true },
      afterCreate: () => undefined,
    };
  }
  return {
    kind,
    adapter: new ExpressAdapter(),
    // Nest's default parsers would also take urlencoded bodies with a fixed 100 kB limit.
    nestOptions: { bodyParser: false },
    afterCreate: (app) => {
      (app as NestExpressApplication).useBodyParser('json', { limit: bodyLimit });
    },
  };
}

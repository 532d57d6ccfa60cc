import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { HttpAdapterKind } from './adapter-kind.js';

export { DEFAULT_HTTP_ADAPTER, HTTP_ADAPTER_KINDS, type HttpAdapterKind } from './adapter-kind.js';

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

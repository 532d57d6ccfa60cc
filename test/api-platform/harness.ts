import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '#api';
import { type ApiConfig, loadConfig } from '#api';
import type { HttpAdapterKind } from '#api';
import type { TestDatabase } from '#database/testing';
import { createLogger } from '#observability';
import { SampleModule } from './sample.module.js';

export interface RunningApi {
  readonly app: INestApplication;
  readonly baseUrl: string;
  /** Every JSON log line the app wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Record<string, string>;
  readonly adapter?: HttpAdapterKind;
  readonly clock?: () => number;
  readonly onClose?: () => Promise<void>;
}

/** The real API (plus the test-only sample routes) on a real port, over the test file's database. */
export async function startApi(db: TestDatabase, { env = {}, adapter, clock, onClose }: StartOptions = {}): Promise<RunningApi> {
  const config: ApiConfig = loadConfig({ NODE_ENV: 'test', ...(adapter ? { HTTP_ADAPTER: adapter } : {}), ...env });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      callback();
    },
  });
  const logger = createLogger({ level: 'info', destination: sink });
  const app = await createApp({
    config,
    pool: db.pool,
    logger,
    modules: [SampleModule],
    ...(clock ? { clock } : {}),
    ...(onClose ? { onClose } : {}),
  });
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, baseUrl, logs, close: () => app.close() };
}

export interface CallOptions {
  readonly method?: string;
  readonly token?: string;
  readonly orgId?: string;
  readonly body?: unknown;
  /** Sent as-is (e.g. malformed JSON); wins over `body`. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export async function call(api: RunningApi, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.orgId) headers['x-org-id'] = options.orgId;
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json';
  const response = await fetch(`${api.baseUrl}${path}`, {
    method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
    headers,
    body: payload,
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const body = contentType.includes('json') && text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: response.status, headers: response.headers, contentType, body, text };
}

/** A problem body without its per-request members, to compare two answers for equality. */
export const stable = ({ correlationId: _c, instance: _i, ...rest }: Record<string, unknown>) => rest;

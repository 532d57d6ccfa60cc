import { connect } from 'node:net';
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

export interface RawRequest {
  readonly method: string;
  /** The request-target exactly as sent: malformed percent-encodings and all. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

/**
 * One request written byte for byte on a fresh socket (Connection: close), for what fetch and
 * node:http refuse to send: unknown methods, raw paths, oversized headers. The answer is read
 * to the end of the connection; Content-Length and chunked bodies are both decoded.
 */
export async function rawCall(api: RunningApi, request: RawRequest): Promise<RawReply> {
  const { hostname, port } = new URL(api.baseUrl);
  const payload = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = {
    host: `${hostname}:${port}`,
    connection: 'close',
    ...(payload !== undefined ? { 'content-length': String(payload.length) } : {}),
    ...request.headers,
  };
  const head = `${request.method} ${request.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  const received = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => {
      socket.write(head, 'latin1');
      if (payload !== undefined) socket.write(payload);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error),
    );
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
  const split = received.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`no HTTP response: ${JSON.stringify(received.toString('latin1').slice(0, 200))}`);
  const [statusLine = '', ...lines] = received.subarray(0, split).toString('latin1').split('\r\n');
  const replyHeaders = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  let rest = received.subarray(split + 4);
  if (/chunked/i.test(replyHeaders['transfer-encoding'] ?? '')) rest = dechunk(rest);
  const text = rest.toString('utf8');
  const contentType = replyHeaders['content-type'] ?? '';
  const body = contentType.includes('json') && text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: Number(statusLine.split(' ')[1]), headers: replyHeaders, contentType, body, text };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length;) {
    const lineEnd = data.indexOf('\r\n', at);
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

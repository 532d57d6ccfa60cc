import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '#observability';
import { LOGGER } from '../tokens.js';
import { PROBLEM_CONTENT_TYPE, problemType } from '../errors/problem.js';

/** Finishes in-flight work (e.g. the projection batch being applied) when asked to stop. */
export type Drain = (signal: string | undefined) => Promise<void>;

export const SHUTDOWN_OPTIONS = Symbol('SHUTDOWN_OPTIONS');
/** What a 503 sent while the service shuts down tells the client (Retry-After, seconds): try again, elsewhere. */
export const SHUTDOWN_RETRY_AFTER_SECONDS = 1;
const IDLE_REAPER_INTERVAL_MS = 50;
export interface ShutdownOptions {
  readonly timeoutMs: number;
  /** Runs last, once the HTTP server is closed: releases what the caller of createApp owns (pool, embedded PostgreSQL). */
  readonly onClose?: () => Promise<void>;
}

/**
 * Nest's close sequence is: onModuleDestroy -> beforeApplicationShutdown -> HTTP server closed
 * (in-flight requests finish) -> onApplicationShutdown. Readiness turns down first, so a load
 * balancer stops sending traffic; drains run next, bounded by the timeout; resources go last.
 */
@Injectable()
export class ShutdownCoordinator implements OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown {
  private stopping = false;
  private readonly drains = new Map<string, Drain>();
  /** Closes connections that turn idle once the server stopped listening (see closeConnectionsAfterResponses). */
  private idleReaper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(SHUTDOWN_OPTIONS) private readonly options: ShutdownOptions = { timeoutMs: 10_000 },
    @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost,
  ) {}

  get isShuttingDown(): boolean {
    return this.stopping;
  }

  register(name: string, drain: Drain): void {
    if (this.drains.has(name)) throw new Error(`shutdown drain ${name} is already registered`);
    this.drains.set(name, drain);
  }

  onModuleDestroy(): void {
    if (!this.stopping) this.closeConnectionsAfterResponses();
    this.stopping = true;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.drains].map(([name, drain]) => this.runDrain(name, drain, signal)));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.idleReaper);
    await this.options.onClose?.();
  }

  /**
   * Once the shutdown begins, on the Node HTTP server itself (ahead of the framework, which
   * answers some requests before any hook of ours runs):
   * - every response closes its connection, and every 503 carries Retry-After, Fastify's own
   *   included (it answers 503 to a request on a kept-alive connection once it is closing);
   * - a kept-alive connection whose request was still running when the server stopped listening
   *   is closed as soon as it is idle. server.close() waits for every connection, and Node closes
   *   only those idle at that moment: one client holding such a connection would otherwise keep
   *   the process alive for the keep-alive timeout (72 s in Fastify), past any stop deadline.
   */
  private closeConnectionsAfterResponses(): void {
    const server = this.adapterHost?.httpAdapter?.getHttpServer() as Server | undefined;
    if (typeof server?.prependListener !== 'function') return;
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      if (request.httpVersionMajor < 2) response.setHeader('Connection', 'close');
      const writeHead = response.writeHead;
      const end = response.end;
      response.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
        if (statusCode === 503 && !this.hasHeader('retry-after')) this.setHeader('Retry-After', String(SHUTDOWN_RETRY_AFTER_SECONDS));
        // Fastify's own closing answer (JSON of its shape, written before any hook): the same 503 as a problem.
        const headers = rest.at(-1);
        if (statusCode === 503 && isFastifyClosingHeaders(headers)) {
          const body = shuttingDownProblem(request.url ?? '/');
          response.end = function (this: ServerResponse, ...args: unknown[]) {
            const callback = args.find((a) => typeof a === 'function');
            return (end as (...a: unknown[]) => ServerResponse).call(this, body, ...(callback ? [callback] : []));
          } as ServerResponse['end'];
          return (writeHead as (...args: unknown[]) => ServerResponse).call(this, statusCode, {
            'Content-Type': PROBLEM_CONTENT_TYPE,
            'Content-Length': String(Buffer.byteLength(body)),
          });
        }
        return (writeHead as (...args: unknown[]) => ServerResponse).call(this, statusCode, ...rest);
      } as ServerResponse['writeHead'];
    });
    this.idleReaper = setInterval(() => {
      if (!server.listening) server.closeIdleConnections();
    }, IDLE_REAPER_INTERVAL_MS);
    this.idleReaper.unref();
    server.once('close', () => clearInterval(this.idleReaper));
  }

  private async runDrain(name: string, drain: Drain, signal: string | undefined): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.timeoutMs);
    });
    try {
      const outcome = await Promise.race([drain(signal).then(() => 'done' as const), timeout]);
      if (outcome === 'timeout') this.logger.warn({ drain: name, timeoutMs: this.options.timeoutMs }, 'shutdown drain timed out');
    } catch (error) {
      this.logger.error({ drain: name, err: error }, 'shutdown drain failed');
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The headers Fastify writes with its built-in 503 while closing (`return503OnClosing`, lib/route.js). */
function isFastifyClosingHeaders(headers: unknown): boolean {
  if (typeof headers !== 'object' || headers === null) return false;
  const h = headers as Record<string, unknown>;
  return h['Content-Type'] === 'application/json' && h['Content-Length'] === '80';
}

function shuttingDownProblem(url: string): string {
  return JSON.stringify({
    type: problemType('unavailable'),
    title: 'Service Unavailable',
    status: 503,
    detail: 'The service is shutting down: retry (another instance will answer).',
    instance: url.split('?')[0],
  });
}

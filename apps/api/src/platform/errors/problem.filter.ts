import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Logger } from '#observability';
import type { ApiRequest } from '../http/api-request.js';
import { isRouteNotFound, routeTableOf } from '../http/route-table.js';
import { LOGGER } from '../tokens.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { toProblem } from './to-problem.js';

/**
 * Every error answer of the HTTP layer — ours, Nest's, the body parser's, unknown routes —
 * leaves through here as application/problem+json. Server faults are logged with their
 * stack under the correlation id the client sees; their text never reaches the client.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const adapter = this.adapterHost.httpAdapter;
    const request = host.switchToHttp().getRequest<ApiRequest>();
    const response = host.switchToHttp().getResponse<unknown>();
    const url = String(adapter.getRequestUrl(request) ?? '/');
    const path = url.split('?')[0] ?? '/';
    // No route matched: the path may exist with other methods (405 + Allow), or the method nowhere (501).
    const unrouted = isRouteNotFound(exception) ? routeTableOf(adapter)?.unrouted(request.method, path) : undefined;
    const problem = toProblem(unrouted ?? exception, { instance: path, correlationId: request.correlationId });
    if (problem.unexpected) {
      this.logger.error({ err: exception, correlationId: request.correlationId, status: problem.status }, 'request failed');
    }
    if (adapter.isHeadersSent(response)) {
      adapter.end(response); // a streamed body already started: the status cannot change
      return;
    }
    for (const [name, value] of Object.entries(problem.headers)) adapter.setHeader(response, name, value);
    adapter.setHeader(response, 'Content-Type', PROBLEM_CONTENT_TYPE);
    adapter.reply(response, problem.body, problem.status);
  }
}

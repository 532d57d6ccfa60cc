import type { IncomingHttpHeaders } from 'node:http';
import { type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Observable } from 'rxjs';
import { problems } from '../errors/problem.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/json\s*(?:;|$)/i;

/** A request carries a body when it says so: a non-zero Content-Length or any Transfer-Encoding. */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length.trim() !== '0';
}

/**
 * JSON is the only body this API reads: a POST/PUT/PATCH/DELETE with a body of another (or no)
 * Content-Type is refused before any parser sees it, whatever the adapter would have accepted
 * (Fastify parses text/plain; Express ignores what it has no parser for).
 */
export function unsupportedBody(method: string, headers: IncomingHttpHeaders): Error | undefined {
  if (!WITH_BODY.has(method.toUpperCase()) || !hasBody(headers)) return undefined;
  return JSON_TYPE.test(headers['content-type'] ?? '') ? undefined : problems.unsupportedMediaType();
}

/**
 * A body sent to a handler that declares no @Body() would be dropped silently: the client
 * believes it sent something. Refused with 400 before guards' later work, pipes or the handler.
 */
export class BodyNotAcceptedInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<{ headers: IncomingHttpHeaders }>();
      if (hasBody(request.headers) && !takesBody(context)) throw problems.bodyNotAccepted();
    }
    return next.handle();
  }
}

function takesBody(context: ExecutionContext): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
}

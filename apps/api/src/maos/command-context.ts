import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ServicePrincipal } from '../auth/principal.js';
import { type ApiRequest, singleHeader } from '../http/api-request.js';
import { type CommandHeaders, parseCommandHeaders } from './command-headers.js';

/** Who sends a command, under which correlation id, with which Idempotency-Key and If-Match. */
export interface CommandContext {
  readonly principal: ServicePrincipal;
  readonly correlationId: string;
  readonly headers: CommandHeaders;
}

/** For @RequireScope routes only: the guard has already admitted a service principal. */
export const MaosCommand = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<ApiRequest>();
  const principal = request.principal;
  if (principal?.kind !== 'service') throw new Error('@MaosCommand() used on a route without @RequireScope()');
  const headers = parseCommandHeaders(singleHeader(request, 'idempotency-key'), singleHeader(request, 'if-match'));
  if (headers instanceof Error) throw headers;
  return { principal, correlationId: request.correlationId ?? randomUUID(), headers };
});

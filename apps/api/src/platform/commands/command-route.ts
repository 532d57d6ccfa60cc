import { randomUUID } from 'node:crypto';
import {
  applyDecorators,
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import { lastValueFrom, of, type Observable } from 'rxjs';
import type { DatabasePool } from '#database';
import type { CommandMeta } from '#revenue-commands';
import { principalKey } from '../auth/principal.js';
import { type ApiRequest, singleHeader } from '../http/api-request.js';
import { DATABASE_POOL } from '../tokens.js';
import { problems } from '../errors/problem.js';
import { assertStorableInput } from '../errors/validation.js';
import { expectedRevisionFrom, idempotencyKeyFrom, type IfMatchWildcard } from './command-headers.js';
import { fingerprint } from './idempotency/fingerprint.js';
import { runIdempotent } from './idempotency/run-idempotent.js';
import type { StoredResponse } from './idempotency/idempotency.store.js';

/**
 * How long a claimed Idempotency-Key stays "running" before a retry may take it over (the first
 * request died). One value for every command: longer than the slowest legitimate command,
 * erasure, which waits up to 30 s for the projections; a shorter lease would let a retry run
 * beside a live request.
 */
export const IDEMPOTENCY_LEASE_MS = 60_000;

/** What a command route returns: status, headers (ETag, X-Log-Position) and body, stored under its key for replays. */
export type CommandReply = StoredResponse;

interface CommandRouteOptions {
  /** MAOS commands require an Idempotency-Key; an analysis takes one optionally. */
  readonly idempotencyKey: 'required' | 'optional';
  /** What If-Match means here: a revision (`*` = no check, or refused), or refused with this reason. */
  readonly ifMatch: IfMatchWildcard | { readonly notSupported: string };
}

const COMMAND_ROUTE = 'api:command-route';

interface CommandRequest extends ApiRequest {
  readonly url: string;
  readonly body?: unknown;
  commandMeta?: CommandMeta;
}

/**
 * A command endpoint: Idempotency-Key and If-Match parsed (malformed = 400, before anything
 * runs), the caller's CommandMeta ready for `@Meta()`, the handler run at most once per
 * (caller, key) and its CommandReply stored and replayed to retries (runIdempotent).
 */
export const CommandRoute = (options: CommandRouteOptions) =>
  applyDecorators(
    SetMetadata(COMMAND_ROUTE, options),
    UseInterceptors(CommandInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: options.idempotencyKey === 'required',
      description:
        'A new value per command (e.g. a UUID); resend it only to retry that command. A retry replays the first response; ' +
        'another request under the same key gets 422, a retry while the first runs 409.',
    }),
    ...(typeof options.ifMatch === 'object'
      ? []
      : [
          ApiHeader({
            name: 'If-Match',
            required: false,
            description: 'The org stream revision the client saw ("12", from an ETag); 409 if it moved.',
          }),
        ]),
  );

/** The command's metadata (actor, correlation id, caller-scoped idempotency key, If-Match) on a @CommandRoute. */
export const Meta = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandMeta => {
  const meta = ctx.switchToHttp().getRequest<CommandRequest>().commandMeta;
  if (!meta) throw new Error('@Meta() used on a route without @CommandRoute()');
  return meta;
});

@Injectable()
export class CommandInterceptor implements NestInterceptor {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler<CommandReply>): Promise<Observable<unknown>> {
    const options = this.reflector.get<CommandRouteOptions>(COMMAND_ROUTE, context.getHandler());
    const request = context.switchToHttp().getRequest<CommandRequest>();
    const principal = request.principal;
    if (!principal) throw new Error('@CommandRoute() on a public route');
    const key = idempotencyKeyFrom(singleHeader(request, 'idempotency-key'), options.idempotencyKey === 'required');
    const ifMatch = singleHeader(request, 'if-match');
    if (typeof options.ifMatch === 'object' && ifMatch !== undefined) throw problems.ifMatchNotSupported(options.ifMatch.notSupported);
    const expectedRevision = typeof options.ifMatch === 'object' ? undefined : expectedRevisionFrom(ifMatch, options.ifMatch);
    // The fingerprint below walks the body: bound it (and refuse unstorable text) first.
    assertStorableInput(request.body);
    const caller = principalKey(principal);
    request.commandMeta = {
      actor: { kind: principal.kind, id: principal.id },
      correlationId: request.correlationId ?? randomUUID(),
      // Event ids derive from this: scoped by caller so two callers' keys never collide.
      ...(key === undefined ? {} : { idempotencyKey: `${caller}:${key}` }),
      ...(expectedRevision === undefined ? {} : { expectedRevision }),
    };
    const run = () => lastValueFrom(next.handle());
    const reply =
      key === undefined
        ? await run()
        : await runIdempotent(
            this.pool,
            { principal: caller, key, leaseMs: IDEMPOTENCY_LEASE_MS, fingerprint: fingerprint(identityOf(request, expectedRevision)) },
            run,
          );
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = context.switchToHttp().getResponse();
    adapter.status(response, reply.status);
    for (const [name, value] of Object.entries(reply.headers)) adapter.setHeader(response, name, value);
    return of(reply.body);
  }
}

/**
 * What makes two requests "the same" under one key: method, path (ids lowercased), the org an
 * org-scoped command runs on, body and precondition. Reusing a key for another org is refused.
 */
function identityOf(request: CommandRequest, ifMatch: bigint | undefined) {
  const path = request.url.split('?')[0]!.toLowerCase();
  const org = request.org ? ` ${request.org.orgId}` : '';
  return { operation: `${request.method} ${path}${org}`, body: request.body ?? {}, ifMatch };
}

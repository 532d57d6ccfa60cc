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
import { ifMatchFailure } from '../errors/domain-errors.js';
import {
  expectedRevisionFrom,
  IDEMPOTENCY_KEY_FORMAT,
  IDEMPOTENCY_KEY_PATTERN,
  IF_MATCH_PATTERN,
  idempotencyKeyFrom,
  type IfMatchWildcard,
} from './command-headers.js';
import { ApiProblems } from '../docs/problem-docs.js';
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
        `${IDEMPOTENCY_KEY_FORMAT} A new value per command (e.g. a UUID); resend it only to retry that command. ` +
        'A retry replays the first response (Idempotent-Replayed: true); another request under the same key gets 422, ' +
        'a retry while the first runs 409.',
      schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source, minLength: 8, maxLength: 128 },
    }),
    ...(typeof options.ifMatch === 'object'
      ? []
      : [
          ApiHeader({
            name: 'If-Match',
            required: false,
            description:
              'The org stream revision the client saw, quoted as in ETag: "12" (W/"12" and a bare 12 are accepted too). ' +
              (options.ifMatch === 'no-check' ? '* means no check. ' : '* is refused. ') +
              '412 if the stream has moved past it; 400 if malformed.',
            schema: {
              type: 'string',
              pattern: options.ifMatch === 'no-check' ? `^\\*$|${IF_MATCH_PATTERN.source}` : IF_MATCH_PATTERN.source,
              example: '"12"',
            },
          }),
        ]),
    ApiProblems({
      400:
        typeof options.ifMatch === 'object'
          ? `${options.idempotencyKey === 'required' ? 'Missing or malformed' : 'Malformed'} Idempotency-Key; any If-Match (not supported here).`
          : `${options.idempotencyKey === 'required' ? 'Missing or malformed' : 'Malformed'} Idempotency-Key or If-Match.`,
      409: 'The same Idempotency-Key is still running; or concurrent writes kept moving the stream (/problems/write-conflict): retry.',
      422: 'The Idempotency-Key was used for a different request (or another org).',
      ...(typeof options.ifMatch === 'object'
        ? {}
        : { 412: 'If-Match names a revision the org stream has moved past (/problems/precondition-failed, with currentRevision).' }),
    }),
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
    // Only a revision the client stated is a precondition (412); without one a conflict is contention (409).
    const run = () =>
      lastValueFrom(next.handle()).catch((error: unknown) => {
        throw expectedRevision === undefined ? error : ifMatchFailure(error);
      });
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

import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { comparePositions, formatPosition, type LogPosition, parsePosition } from '#event-store';
import { AlsoForServices, OrgScoped } from './auth/decorators.js';
import { ORG_READ_SERVICE_SCOPE } from './auth/org-read.js';
import { problems } from './errors/problem.js';
import { allProjections } from '#read-models';
import { FEATURE_DEPS, type ResolvedFeatureDeps } from './feature-deps.js';
import { type ApiRequest, singleHeader } from './http/api-request.js';

/** Seconds a client should wait before retrying a read whose read model is still behind. */
const RETRY_AFTER_SECONDS = 1;
const INT8_MAX = 9_223_372_036_854_775_807n;

/** The position a read must include (X-Min-Position), or null when the header is absent; malformed -> 400. */
export function minPositionFrom(header: string | undefined): LogPosition | null {
  if (header === undefined) return null;
  const position = parsePosition(header.trim());
  // 20 digits may exceed int8: such a position cannot exist in the log.
  if (!position || position.commit > INT8_MAX || position.prepare > INT8_MAX) throw problems.invalidMinPosition();
  return position;
}

/**
 * Refuses (400) a target beyond the highest COMMITTED position of the log: no write produced it
 * (or its stream has been erased since, and the log's last events with it),
 * so no wait can reach it and a 503 would have the client retry forever. The committed head, not
 * the readable one (headPosition): a committed write an older open transaction still hides is
 * within reach and gets the bounded wait.
 *
 * "Beyond" is the log's order (comparePositions: commit, i.e. transaction id, first). A position
 * from another database or store is judged by that order too: one whose commit part is above
 * this head is refused; one whose commit part is below it counts as already written (the log
 * cannot tell it from a real older position), so it waits as usual and is normally passed at once.
 */
async function refuseUnreachable(store: ResolvedFeatureDeps['store'], target: LogPosition): Promise<void> {
  const head = await store.committedHead();
  if (!head || comparePositions(target, head) > 0) {
    throw problems.minPositionAhead(formatPosition(target), head && formatPosition(head));
  }
}

/**
 * X-Min-Position: the handler runs only once every read model includes that position, so a
 * client reads its own writes. Runs after the global guard, so an unauthenticated caller can
 * never make the API wait. A position beyond the committed log answers 400 at once; otherwise
 * the wait is bounded, then 503 + Retry-After.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(@Inject(FEATURE_DEPS) private readonly deps: ResolvedFeatureDeps) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const target = minPositionFrom(singleHeader(context.switchToHttp().getRequest<ApiRequest>(), 'x-min-position'));
    if (target) {
      await refuseUnreachable(this.deps.store, target);
      const deadline = Date.now() + this.deps.readYourWritesTimeoutMs;
      // A write is visible once every read model has passed its position.
      for (const { name } of allProjections) {
        const reached = await this.deps.projections.waitFor(name, target, Math.max(0, deadline - Date.now()));
        if (!reached) throw problems.readModelBehind(formatPosition(target), RETRY_AFTER_SECONDS);
      }
    }
    return next.handle();
  }
}

/** The OpenAPI description every org-scoped endpoint shares (headers and error answers). */
export const OrgScopedDocs = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiHeader({
      name: 'X-Org-Id',
      required: false,
      description:
        'The organization (uuid); optional when the user has exactly one; a service token (where the route admits one) must send it.',
    }),
    ApiResponse({ status: 400, description: 'Invalid parameters, X-Org-Id or X-Min-Position (problem+json).' }),
    ApiResponse({ status: 401, description: 'Missing, expired or invalid access token.' }),
    ApiResponse({ status: 403, description: 'The kind of caller (user or service) or scope does not fit the route.' }),
    ApiResponse({ status: 404, description: 'No organization you can read matches (members and outsiders alike).' }),
  );

/**
 * Read-your-writes on X-Min-Position (the X-Log-Position a command answered): the handler runs
 * once every read model includes it. The module lists ReadYourWritesInterceptor as a provider.
 */
export const ReadsYourWrites = () =>
  applyDecorators(
    UseInterceptors(ReadYourWritesInterceptor),
    ApiHeader({
      name: 'X-Min-Position',
      required: false,
      description:
        'Wait (at most 5 s) until the read model includes this log position "<commit>-<prepare>"; a position beyond the log answers 400 at once.',
    }),
    ApiResponse({ status: 503, description: 'The read model did not reach X-Min-Position in time; see Retry-After.' }),
  );

/**
 * An org-scoped read: owners and admins of the X-Org-Id org, or a service token with
 * `maos:read` naming the org (run the read with readOrg, platform/auth/org-read.ts), with
 * read-your-writes.
 */
export const OrgRead = () => applyDecorators(OrgScoped(), AlsoForServices(ORG_READ_SERVICE_SCOPE), ReadsYourWrites(), OrgScopedDocs());

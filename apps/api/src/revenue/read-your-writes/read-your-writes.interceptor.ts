import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { formatPosition } from '#event-store';
import { type ApiRequest, singleHeader } from '../../http/api-request.js';
import { READ_MODEL_PROJECTIONS, REVENUE_API_DEPS, type RevenueApiDeps } from '../revenue-api.deps.js';
import { MIN_POSITION_HEADER, minPositionFrom, readYourWritesProblems } from './min-position.js';

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * X-Min-Position: the handler runs only once every read model includes that position, so a
 * client reads its own writes. Runs after the global guard, so an unauthenticated caller can
 * never make the API wait. The wait is bounded; then 503 + Retry-After.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(@Inject(REVENUE_API_DEPS) private readonly deps: RevenueApiDeps) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const target = minPositionFrom(singleHeader(context.switchToHttp().getRequest<ApiRequest>(), MIN_POSITION_HEADER));
    if (target) {
      const deadline = Date.now() + (this.deps.readYourWritesTimeoutMs ?? DEFAULT_TIMEOUT_MS);
      for (const name of READ_MODEL_PROJECTIONS) {
        const reached = await this.deps.runner.waitFor(name, target, Math.max(0, deadline - Date.now()));
        if (!reached) throw readYourWritesProblems.behind(formatPosition(target));
      }
    }
    return next.handle();
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { DatabasePool } from '#database';
import type { CommandMeta } from '#revenue-commands';
import { principalKey } from '../auth/principal.js';
import { DATABASE_POOL } from '../tokens.js';
import type { CommandContext } from './command-context.js';
import { fingerprint } from './idempotency/fingerprint.js';
import type { StoredResponse } from './idempotency/idempotency.store.js';
import { runIdempotent } from './idempotency/run-idempotent.js';
import { MAOS_OPTIONS, type ResolvedMaosOptions } from './maos-options.js';

/** The one way MAOS commands run: under their Idempotency-Key, with the caller as actor. */
@Injectable()
export class IdempotentCommands {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
    @Inject(MAOS_OPTIONS) private readonly options: ResolvedMaosOptions,
  ) {}

  run(
    ctx: CommandContext,
    request: { operation: string; body: unknown },
    work: (meta: CommandMeta) => Promise<StoredResponse>,
  ): Promise<StoredResponse> {
    const { principal, headers } = ctx;
    const caller = principalKey(principal);
    const meta: CommandMeta = {
      actor: { kind: 'service', id: principal.id },
      correlationId: ctx.correlationId,
      // Event ids derive from this: scoped by caller so two services' keys never collide.
      idempotencyKey: `${caller}:${headers.idempotencyKey}`,
      ...(headers.expectedRevision === undefined ? {} : { expectedRevision: headers.expectedRevision }),
    };
    const print = fingerprint({ ...request, ifMatch: headers.expectedRevision });
    return runIdempotent(
      this.pool,
      { principal: caller, key: headers.idempotencyKey, fingerprint: print, leaseMs: this.options.idempotencyLeaseMs },
      () => work(meta),
    );
  }
}

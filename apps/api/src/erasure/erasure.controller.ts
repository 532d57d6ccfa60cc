import { Controller, Delete, HttpCode, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { DatabasePool } from '#database';
import type { CommandMeta } from '#revenue-commands';
import { RequireScope } from '../platform/auth/decorators.js';
import { type CommandReply, CommandRoute, Meta } from '../platform/commands/command-route.js';
import { problems } from '../platform/errors/problem.js';
import { FEATURE_DEPS, type ResolvedFeatureDeps } from '../platform/feature-deps.js';
import { pathId } from '../platform/http/uuid-param.js';
import { DATABASE_POOL } from '../platform/tokens.js';
import { type ErasureDeps, eraseOrg, erasureDeps, ProjectionsBehindError } from '#runtime';

class ErasedCountsDto {
  @ApiProperty() events!: number;
  @ApiProperty() opportunities!: number;
  @ApiProperty() actions!: number;
  @ApiProperty() orgStreams!: number;
  @ApiProperty() ledgerEntries!: number;
}

class ErasureResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ description: 'false: nothing was left to erase (a repeated call).' }) erased!: boolean;
  @ApiProperty({ type: ErasedCountsDto }) counts!: ErasedCountsDto;
  @ApiProperty({ nullable: true, type: String, description: 'Log position of the erasure record.' }) position!: string | null;
}

@ApiTags('maos')
@ApiBearerAuth()
@Controller('api/maos/orgs')
export class ErasureController {
  private readonly erasure: ErasureDeps;

  constructor(
    @Inject(DATABASE_POOL) pool: DatabasePool,
    @Inject(FEATURE_DEPS) private readonly deps: ResolvedFeatureDeps,
  ) {
    this.erasure = erasureDeps({ store: deps.store, pool, runner: deps.projections }, deps.erasureWaitMs);
  }

  @Delete(':orgId')
  @HttpCode(200)
  @RequireScope('maos:erase')
  @CommandRoute({
    idempotencyKey: 'required',
    ifMatch: { notSupported: 'Erasure takes no If-Match: it removes the stream whatever its revision.' },
  })
  @ApiOperation({
    summary: "Erase an org's revenue data: its event stream and read rows; records the erasure without the org id.",
    description: 'Idempotent: a repeated call answers erased=false. With EventStoreDB the events are soft-deleted until the next scavenge.',
  })
  @ApiParam({ name: 'orgId', format: 'uuid' })
  @ApiOkResponse({ type: ErasureResponse })
  @ApiResponse({ status: 400, description: 'Invalid org id or Idempotency-Key.' })
  @ApiResponse({ status: 503, description: 'Projections behind: retry (the events are already deleted).' })
  async erase(@Param('orgId') orgId: string, @Meta() meta: CommandMeta): Promise<CommandReply> {
    const id = pathId(orgId, () => problems.invalidPathId('invalid-org-id', 'Invalid organization id', 'org id'));
    const outcome = await eraseOrg(this.erasure, id, {
      actor: meta.actor,
      correlationId: meta.correlationId,
      idempotencyKey: meta.idempotencyKey!,
      now: this.deps.clock.now(),
    }).catch((error: unknown) => {
      throw error instanceof ProjectionsBehindError ? problems.unavailable(error.message) : error;
    });
    return { status: 200, headers: {}, body: { success: true, ...outcome } };
  }
}

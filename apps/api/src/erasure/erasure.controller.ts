import { Controller, Delete, HttpCode, Inject, Param, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { DatabasePool } from '#database';
import { RequireScope } from '../auth/decorators.js';
import { ProblemException } from '../errors/problem.js';
import { type CommandContext, MaosCommand } from '../maos/command-context.js';
import { IdempotentCommands } from '../maos/idempotent-commands.js';
import { MAOS_OPTIONS, type ResolvedMaosOptions } from '../maos/maos-options.js';
import { sendStored } from '../maos/send-stored.js';
import { DATABASE_POOL } from '../tokens.js';
import { type ErasureDeps, eraseOrg } from './erase-org.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  private readonly deps: ErasureDeps;
  private readonly clock: ResolvedMaosOptions['clock'];

  constructor(
    private readonly commands: IdempotentCommands,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(DATABASE_POOL) pool: DatabasePool,
    @Inject(MAOS_OPTIONS) options: ResolvedMaosOptions,
  ) {
    const { store, projections, projectionNames, erasureWaitMs } = options;
    this.deps = {
      store,
      pool,
      async waitForProjections(position) {
        const passed = await Promise.all(projectionNames.map((name) => projections.waitFor(name, position, erasureWaitMs)));
        return passed.every(Boolean);
      },
    };
    this.clock = options.clock;
  }

  @Delete(':orgId')
  @HttpCode(200)
  @RequireScope('maos:erase')
  @ApiOperation({
    summary: "Erase an org's revenue data: its event stream and read rows; records the erasure without the org id.",
    description: 'Idempotent: a repeated call answers erased=false. With EventStoreDB the events are soft-deleted until the next scavenge.',
  })
  @ApiParam({ name: 'orgId', format: 'uuid' })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiOkResponse({ type: ErasureResponse })
  @ApiResponse({ status: 400, description: 'Invalid org id or Idempotency-Key.' })
  @ApiResponse({ status: 503, description: 'Projections behind: retry (the events are already deleted).' })
  async erase(@Param('orgId') orgId: string, @MaosCommand() ctx: CommandContext, @Res({ passthrough: true }) reply: unknown) {
    if (!UUID.test(orgId))
      throw new ProblemException(400, 'invalid-org-id', 'Invalid organization id', 'The org id in the path must be a UUID.');
    if (ctx.headers.expectedRevision !== undefined) {
      throw new ProblemException(
        400,
        'if-match-not-supported',
        'If-Match not supported',
        'Erasure takes no If-Match: it removes the stream whatever its revision.',
      );
    }
    const id = orgId.toLowerCase();
    const response = await this.commands.run(ctx, { operation: `DELETE /api/maos/orgs/${id}`, body: {} }, async (meta) => {
      const outcome = await eraseOrg(this.deps, id, {
        actor: meta.actor,
        correlationId: meta.correlationId,
        idempotencyKey: meta.idempotencyKey!,
        now: this.clock.now(),
      });
      return { status: 200, headers: {}, body: { success: true, ...outcome } };
    });
    return sendStored(this.adapterHost.httpAdapter, reply, response);
  }
}

import { randomUUID } from 'node:crypto';
import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { DatabasePool } from '#database';
import { type CommandMeta, type FullAnalysisResult, RunFullAnalysis } from '#revenue-commands';
import { CurrentOrg, CurrentPrincipal, OrgScoped } from '../../auth/decorators.js';
import { principalKey, type UserPrincipal } from '../../auth/principal.js';
import { fingerprint } from '../../maos/idempotency/fingerprint.js';
import type { StoredResponse } from '../../maos/idempotency/idempotency.store.js';
import { runIdempotent } from '../../maos/idempotency/run-idempotent.js';
import { sendStored } from '../../maos/send-stored.js';
import { DATABASE_POOL } from '../../tokens.js';
import { type ApiRequest, type OrgContext, singleHeader } from '../../http/api-request.js';
import { OrgScopedDocs } from '../read-your-writes/org-read.decorator.js';
import { etagOf, expectedRevisionFrom, idempotencyKeyFrom } from './command-headers.js';

/** How long a claimed key stays "running" before a retry may take over (a crashed request). */
const IDEMPOTENCY_LEASE_MS = 60_000;

class AnalysisDto {
  @ApiProperty({ example: 3 }) upsellOpportunities!: number;
  @ApiProperty({ example: 1 }) churnRisks!: number;
  @ApiProperty({ example: 2 }) actionsTriggered!: number;
  @ApiProperty({ example: 45.5 }) potentialMRR!: number;
}

class AnalysisResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: AnalysisDto }) analysis!: AnalysisDto;
}

@ApiTags('revenue')
@Controller('api/revenue/analyze')
export class AnalyzeController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
  ) {}

  @Post()
  @HttpCode(200)
  @OrgScoped()
  @OrgScopedDocs()
  @ApiOperation({ summary: 'Runs the full revenue analysis of the org (detect, trigger actions, expansion).' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Optional. A retry with the same key replays the first response; another request under it gets 422, a retry while it runs 409.',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The org stream revision (ETag) the caller saw; 409 if it moved.' })
  @ApiOkResponse({
    type: AnalysisResponse,
    headers: {
      'X-Log-Position': {
        description: 'Send as X-Min-Position to read this analysis back (absent when nothing was written).',
        schema: { type: 'string' },
      },
      ETag: { description: 'The org stream revision after the analysis.', schema: { type: 'string' } },
    },
  })
  @ApiConflictResponse({ description: 'If-Match does not match the org stream revision, or the same Idempotency-Key is still running.' })
  @ApiResponse({ status: 422, description: 'The Idempotency-Key was used for a different request.' })
  async analyze(
    @Req() request: ApiRequest,
    @Res({ passthrough: true }) reply: unknown,
    @CurrentPrincipal() user: UserPrincipal,
    @CurrentOrg() org: OrgContext,
  ): Promise<AnalysisResponse> {
    const key = idempotencyKeyFrom(singleHeader(request, 'idempotency-key'));
    const expectedRevision = expectedRevisionFrom(singleHeader(request, 'if-match'));
    const caller = principalKey(user);
    const run = (idempotencyKey?: string) =>
      this.run(org.orgId, {
        actor: { kind: 'user', id: user.id },
        correlationId: request.correlationId ?? randomUUID(),
        ...(idempotencyKey ? { idempotencyKey } : {}),
        ...(expectedRevision !== undefined ? { expectedRevision } : {}),
      });
    // With a key: the first response is stored and replayed (apps/api/src/maos/idempotency); the
    // org is part of the operation, so reusing a key for another org is refused (422).
    const stored =
      key === undefined
        ? await run()
        : await runIdempotent(
            this.pool,
            {
              principal: caller,
              key,
              leaseMs: IDEMPOTENCY_LEASE_MS,
              fingerprint: fingerprint({ operation: `POST /api/revenue/analyze ${org.orgId}`, body: null, ifMatch: expectedRevision }),
            },
            () => run(`${caller}:${key}`),
          );
    return sendStored(this.adapterHost.httpAdapter, reply, stored) as unknown as AnalysisResponse;
  }

  private async run(orgId: string, meta: CommandMeta): Promise<StoredResponse> {
    const result: FullAnalysisResult = await this.commands.execute(new RunFullAnalysis(orgId, meta));
    const headers: Record<string, string> = {};
    if (result.position) headers['X-Log-Position'] = result.position;
    if (result.revision !== null) headers.ETag = etagOf(result.revision);
    return { status: 200, headers, body: { success: true, analysis: result.analysis } };
  }
}

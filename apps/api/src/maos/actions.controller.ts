import { applyDecorators, Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { DatabasePool } from '#database';
import {
  ApproveAction,
  type CommandMeta,
  RecordActionDispatch,
  RecordActionOutcome,
  RejectAction,
  type RevenueCommandResult,
} from '#revenue-commands';
import { findActionOrg } from '#read-models';
import { RequireScope } from '../auth/decorators.js';
import { ProblemException } from '../errors/problem.js';
import { DATABASE_POOL } from '../tokens.js';
import { ActionCommandResponse, ActionOutcomeBody, DispatchActionBody, RejectActionBody } from './action-commands.dto.js';
import { type CommandContext, MaosCommand } from './command-context.js';
import { revisionETag } from './command-headers.js';
import type { StoredResponse } from './idempotency/idempotency.store.js';
import { IdempotentCommands } from './idempotent-commands.js';
import { sendStored } from './send-stored.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What every command route shares: path, headers, and the problems it can answer. */
const CommandDocs = () =>
  applyDecorators(
    ApiParam({ name: 'actionId', format: 'uuid' }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description: 'A new value per command (e.g. a UUID); resend it only to retry that command.',
    }),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'The org stream revision the client saw ("12", from the approvals list or an ETag).',
    }),
    ApiOkResponse({
      type: ActionCommandResponse,
      description: 'Done, or already in effect. ETag: the new revision; X-Log-Position: wait for it before reading.',
    }),
    ApiResponse({ status: 400, description: 'Missing/malformed Idempotency-Key or If-Match, invalid body or action id.' }),
    ApiResponse({ status: 404, description: 'Unknown action (a just proposed one may not be projected yet: retry shortly).' }),
    ApiResponse({ status: 409, description: 'If-Match conflict, invalid transition, or the same key still running.' }),
    ApiResponse({ status: 422, description: 'Idempotency-Key reused for a different request.' }),
  );

/** MAOS's commands on one action; the org is the action's (from the read model). */
@ApiTags('maos')
@ApiBearerAuth()
@Controller('api/maos/actions')
export class MaosActionsController {
  constructor(
    private readonly bus: CommandBus,
    private readonly commands: IdempotentCommands,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
  ) {}

  @Post(':actionId/approve')
  @HttpCode(200)
  @RequireScope('maos:approve')
  @ApiOperation({ summary: 'Approve a proposed action (a repeat is a no-op).' })
  @CommandDocs()
  approve(@Param('actionId') actionId: string, @MaosCommand() ctx: CommandContext, @Res({ passthrough: true }) reply: unknown) {
    return this.execute(ctx, reply, actionId, 'approve', {}, (orgId, id, meta) => new ApproveAction(orgId, id, meta));
  }

  @Post(':actionId/reject')
  @HttpCode(200)
  @RequireScope('maos:approve')
  @ApiOperation({ summary: 'Reject a proposed action with a reason; its reserved credits are released.' })
  @CommandDocs()
  reject(
    @Param('actionId') actionId: string,
    @Body() body: RejectActionBody,
    @MaosCommand() ctx: CommandContext,
    @Res({ passthrough: true }) reply: unknown,
  ) {
    return this.execute(ctx, reply, actionId, 'reject', body, (orgId, id, meta) => new RejectAction(orgId, id, body.reason, meta));
  }

  @Post(':actionId/dispatch')
  @HttpCode(200)
  @RequireScope('maos:dispatch')
  @ApiOperation({ summary: 'Report an approved action as sent (credits charged) or failed (credits released).' })
  @CommandDocs()
  dispatch(
    @Param('actionId') actionId: string,
    @Body() body: DispatchActionBody,
    @MaosCommand() ctx: CommandContext,
    @Res({ passthrough: true }) reply: unknown,
  ) {
    return this.execute(
      ctx,
      reply,
      actionId,
      'dispatch',
      body,
      (orgId, id, meta) => new RecordActionDispatch(orgId, id, body.result, body.reason, meta),
    );
  }

  @Post(':actionId/outcome')
  @HttpCode(200)
  @RequireScope('maos:dispatch')
  @ApiOperation({ summary: "Record the customer's answer to a sent action (closes its opportunity as won or lost)." })
  @CommandDocs()
  outcome(
    @Param('actionId') actionId: string,
    @Body() body: ActionOutcomeBody,
    @MaosCommand() ctx: CommandContext,
    @Res({ passthrough: true }) reply: unknown,
  ) {
    return this.execute(ctx, reply, actionId, 'outcome', body, (orgId, id, meta) => new RecordActionOutcome(orgId, id, body.outcome, meta));
  }

  private async execute(
    ctx: CommandContext,
    reply: unknown,
    actionId: string,
    verb: string,
    body: object,
    command: (
      orgId: string,
      actionId: string,
      meta: CommandMeta,
    ) => ApproveAction | RejectAction | RecordActionDispatch | RecordActionOutcome,
  ) {
    if (!UUID.test(actionId))
      throw new ProblemException(400, 'invalid-action-id', 'Invalid action id', 'The action id in the path must be a UUID.');
    const id = actionId.toLowerCase();
    // Not under the key: a lagging read model's 404 must not be replayed to the retry that would succeed.
    const orgId = await findActionOrg(this.pool, id);
    if (!orgId) {
      throw new ProblemException(
        404,
        'action-not-found',
        'Action not found',
        `No action ${id} is known. A just proposed action appears once the read model has caught up: retry in a moment.`,
      );
    }
    const response = await this.commands.run(
      ctx,
      { operation: `POST /api/maos/actions/${id}/${verb}`, body: { ...body } },
      async (meta) => {
        const result: RevenueCommandResult = await this.bus.execute(command(orgId, id, meta));
        return toResponse(id, result);
      },
    );
    return sendStored(this.adapterHost.httpAdapter, reply, response);
  }
}

function toResponse(actionId: string, result: RevenueCommandResult): StoredResponse {
  const headers: Record<string, string> = {};
  if (result.revision !== null) headers.ETag = revisionETag(result.revision);
  if (result.position !== null) headers['X-Log-Position'] = result.position;
  const status = result.state.actions[actionId]?.status ?? 'unknown';
  return { status: 200, headers, body: { success: true, actionId, status, position: result.position, revision: result.revision } };
}

import { applyDecorators, Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { DatabasePool } from '#database';
import { findActionOrg } from '#read-models';
import { type CommandMeta, OrgCommand, type RevenueCommandResult } from '#revenue-commands';
import { RequireScope } from '../platform/auth/decorators.js';
import { revisionETag } from '../platform/commands/command-headers.js';
import { type CommandReply, CommandRoute, Meta } from '../platform/commands/command-route.js';
import { ApiProblems, COMMAND_REPLY_HEADERS } from '../platform/docs/problem-docs.js';
import { problems } from '../platform/errors/problem.js';
import { pathId } from '../platform/http/uuid-param.js';
import { DATABASE_POOL } from '../platform/tokens.js';
import { ActionCommandResponse, ActionOutcomeBody, DispatchActionBody, RejectActionBody } from './action-commands.dto.js';

/** What every command route shares: path, headers, and the problems it can answer. */
const ActionCommand = (verb: string, scope: 'maos:approve' | 'maos:dispatch', summary: string) =>
  applyDecorators(
    Post(verb),
    HttpCode(200),
    RequireScope(scope),
    CommandRoute({ idempotencyKey: 'required', ifMatch: 'refused' }),
    ApiOperation({ summary }),
    ApiParam({ name: 'actionId', format: 'uuid' }),
    ApiOkResponse({ type: ActionCommandResponse, description: 'Done, or already in effect.', headers: COMMAND_REPLY_HEADERS }),
    ApiProblems({
      400: 'Invalid body or action id.',
      404: 'Unknown action (a just proposed one may not be projected yet: retry shortly).',
      409: 'The command does not fit the action or opportunity as it is now (invalid transition, opportunity closed, delivered by another party).',
      422: 'A command the domain refuses as invalid.',
    }),
  );

/** MAOS's commands on one action; the org is the action's (from the read model). */
@ApiTags('maos')
@ApiBearerAuth()
@Controller('api/maos/actions/:actionId')
export class MaosActionsController {
  constructor(
    private readonly bus: CommandBus,
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
  ) {}

  @ActionCommand('approve', 'maos:approve', 'Approve a proposed action (a repeat is a no-op).')
  async approve(@Param('actionId') actionId: string, @Meta() meta: CommandMeta): Promise<CommandReply> {
    const { id, orgId } = await this.actionOf(actionId);
    return reply(id, await this.bus.execute(new OrgCommand({ kind: 'ApproveAction', orgId, actionId: id }, meta)));
  }

  @ActionCommand('reject', 'maos:approve', 'Reject a proposed action with a reason; its reserved credits are released.')
  async reject(@Param('actionId') actionId: string, @Body() body: RejectActionBody, @Meta() meta: CommandMeta): Promise<CommandReply> {
    const { id, orgId } = await this.actionOf(actionId);
    return reply(id, await this.bus.execute(new OrgCommand({ kind: 'RejectAction', orgId, actionId: id, reason: body.reason }, meta)));
  }

  @ActionCommand('dispatch', 'maos:dispatch', 'Report an approved action as sent (credits charged) or failed (credits released).')
  async dispatch(@Param('actionId') actionId: string, @Body() body: DispatchActionBody, @Meta() meta: CommandMeta): Promise<CommandReply> {
    const { id, orgId } = await this.actionOf(actionId);
    const command = { kind: 'RecordActionDispatch', orgId, actionId: id, result: body.result, reason: body.reason } as const;
    return reply(id, await this.bus.execute(new OrgCommand(command, meta)));
  }

  @ActionCommand('outcome', 'maos:dispatch', "Record the customer's answer to a sent action (closes its opportunity as won or lost).")
  async outcome(@Param('actionId') actionId: string, @Body() body: ActionOutcomeBody, @Meta() meta: CommandMeta): Promise<CommandReply> {
    const { id, orgId } = await this.actionOf(actionId);
    return reply(
      id,
      await this.bus.execute(new OrgCommand({ kind: 'RecordActionOutcome', orgId, actionId: id, outcome: body.outcome }, meta)),
    );
  }

  /** The org whose stream holds the action. A lagging read model's 404 is not stored under the key, so a retry can succeed. */
  private async actionOf(actionId: string): Promise<{ id: string; orgId: string }> {
    const id = pathId(actionId, () => problems.invalidPathId('invalid-action-id', 'Invalid action id', 'action id'));
    const orgId = await findActionOrg(this.pool, id);
    if (!orgId) throw problems.actionNotFound(id);
    return { id, orgId };
  }
}

function reply(actionId: string, result: RevenueCommandResult): CommandReply {
  const headers: Record<string, string> = {};
  if (result.revision !== null) headers.ETag = revisionETag(result.revision);
  if (result.position !== null) headers['X-Log-Position'] = result.position;
  const status = result.state.actions[actionId]?.status ?? 'unknown';
  return { status: 200, headers, body: { success: true, actionId, status, position: result.position, revision: result.revision } };
}

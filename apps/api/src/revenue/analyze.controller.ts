import { Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type CommandMeta, type FullAnalysisResult, RunFullAnalysis } from '#revenue-commands';
import { CurrentOrg, OrgScoped } from '../platform/auth/decorators.js';
import { revisionETag } from '../platform/commands/command-headers.js';
import { type CommandReply, CommandRoute, Meta } from '../platform/commands/command-route.js';
import { COMMAND_REPLY_HEADERS } from '../platform/docs/problem-docs.js';
import type { OrgContext } from '../platform/http/api-request.js';
import { OrgScopedDocs } from '../platform/read-your-writes.js';

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
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @OrgScoped()
  @OrgScopedDocs()
  @CommandRoute({ idempotencyKey: 'optional', ifMatch: 'no-check' })
  @ApiOperation({ summary: 'Runs the full revenue analysis of the org (detect, trigger actions, expansion).' })
  @ApiOkResponse({
    type: AnalysisResponse,
    headers: COMMAND_REPLY_HEADERS,
  })
  async analyze(@CurrentOrg() org: OrgContext, @Meta() meta: CommandMeta): Promise<CommandReply> {
    const result: FullAnalysisResult = await this.commands.execute(new RunFullAnalysis(org.orgId, meta));
    const headers: Record<string, string> = {};
    if (result.position) headers['X-Log-Position'] = result.position;
    if (result.revision !== null) headers.ETag = revisionETag(result.revision);
    return { status: 200, headers, body: { success: true, analysis: result.analysis } };
  }
}

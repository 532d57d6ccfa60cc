import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PageLimit } from '../platform/http/query-params.js';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { DatabasePool } from '#database';
import { RequireScope } from '../platform/auth/decorators.js';
import { DATABASE_POOL } from '../platform/tokens.js';
import { ReadsYourWrites } from '../platform/read-your-writes.js';
import { decodeCursor, encodeCursor } from './approvals-cursor.js';
import { pendingApprovals } from '#read-models';

export class ApprovalsQuery {
  @PageLimit(200, 50)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

class PendingApprovalItem {
  @ApiProperty({ format: 'uuid' }) actionId!: string;
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty({ example: 'Acme Ltd', description: "The org's name." }) orgName!: string;
  @ApiProperty({ format: 'uuid' }) opportunityId!: string;
  @ApiProperty({ example: 'upsell' }) opportunityType!: string;
  @ApiProperty({ example: 'offer_upgrade' }) actionType!: string;
  @ApiProperty() confidence!: number;
  @ApiProperty() creditsReserved!: number;
  @ApiProperty({ format: 'date-time' }) proposedAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Org stream revision to send as If-Match ("12").' }) revision!: string | null;
}

class PendingApprovalsPage {
  @ApiProperty({ type: [PendingApprovalItem] }) items!: PendingApprovalItem[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page.' }) nextCursor!:
    string | null;
}

@ApiTags('maos')
@ApiBearerAuth()
@Controller('api/maos/approvals')
export class MaosApprovalsController {
  constructor(@Inject(DATABASE_POOL) private readonly pool: DatabasePool) {}

  @Get()
  @RequireScope('maos:read')
  @ReadsYourWrites()
  @ApiOperation({ summary: 'Proposed actions awaiting approval, across orgs, oldest first.' })
  @ApiOkResponse({ type: PendingApprovalsPage })
  @ApiResponse({ status: 400, description: 'Invalid limit or cursor.' })
  async list(@Query() query: ApprovalsQuery): Promise<PendingApprovalsPage> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (after instanceof Error) throw after;
    const limit = query.limit ?? 50;
    // One row more than asked tells whether another page exists without a count.
    const rows = await pendingApprovals(this.pool, { ...(after ? { after } : {}), limit: limit + 1 });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor({ proposedAt: last.proposedAt, actionId: last.actionId }) : null,
    };
  }
}

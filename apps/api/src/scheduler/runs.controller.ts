import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import type { DatabasePool } from '#database';
import { listSchedulerRuns, SCHEDULER_RUN_OUTCOMES } from '#read-models';
import { RequireScope } from '../platform/auth/decorators.js';
import { PageLimit } from '../platform/http/query-params.js';
import { DATABASE_POOL } from '../platform/tokens.js';

export class RunsQuery {
  @PageLimit(200, 50)
  limit?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'nextCursor of the previous page (the runId of its last run).' })
  @IsOptional()
  @IsUUID()
  cursor?: string;
}

class SchedulerRunItem {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ description: 'The instance that led the run.' }) instanceId!: string;
  @ApiProperty({ format: 'date-time' }) scheduledFor!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Null while the run is in flight.' }) finishedAt!:
    string | null;
  @ApiProperty({ enum: SCHEDULER_RUN_OUTCOMES, nullable: true, type: String }) outcome!: string | null;
  @ApiProperty({ nullable: true, type: Number }) orgs!: number | null;
  @ApiProperty({ nullable: true, type: Number }) detections!: number | null;
  @ApiProperty({ nullable: true, type: Number }) actionsProposed!: number | null;
  @ApiProperty({ nullable: true, type: Number }) actionsExpired!: number | null;
  @ApiProperty({ type: [String], description: 'Error messages of the run (capped).' }) errors!: readonly string[];
}

class SchedulerRunsPage {
  @ApiProperty({ type: [SchedulerRunItem] }) items!: SchedulerRunItem[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page.' }) nextCursor!:
    string | null;
}

/** The scheduler's record of runs (read model scheduler_runs), for operators' service tokens (scope ops:read). */
@ApiTags('ops')
@ApiBearerAuth()
@Controller('api/ops/runs')
export class SchedulerRunsController {
  constructor(@Inject(DATABASE_POOL) private readonly pool: DatabasePool) {}

  @Get()
  @RequireScope('ops:read')
  @ApiOperation({ summary: 'Scheduled runs (sweep + expiry), newest first: outcome, counts, errors.' })
  @ApiOkResponse({ type: SchedulerRunsPage })
  @ApiResponse({ status: 400, description: 'Invalid limit or cursor.' })
  async list(@Query() query: RunsQuery): Promise<SchedulerRunsPage> {
    const limit = query.limit ?? 50;
    // One row more than asked tells whether another page exists without a count.
    const rows = await listSchedulerRuns(this.pool, { limit: limit + 1, ...(query.cursor ? { before: query.cursor } : {}) });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? (items.at(-1)?.runId ?? null) : null };
  }
}

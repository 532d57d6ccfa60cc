import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import type { DatabasePool } from '#database';
import { formatPosition, type LogPosition } from '#event-store';
import { listParkedEvents, type ParkedEventView, type ProjectionStatus } from '#projection-runner';
import { allProjections } from '#read-models';
import { RequireScope } from '../platform/auth/decorators.js';
import { ApiProblems } from '../platform/docs/problem-docs.js';
import { PageLimit } from '../platform/http/query-params.js';
import { DATABASE_POOL } from '../platform/tokens.js';

/** What the controller asks the runtime's projection runner (RuntimeOpsModule provides it). */
export interface ProjectionStatusSource {
  status(): Promise<ProjectionStatus[]>;
}
export const PROJECTION_STATUS_SOURCE = Symbol('PROJECTION_STATUS_SOURCE');

/** The scope of the operations reads (/api/ops/*: also runs and outbox, which spell it out: API features import nothing from each other). */
const OPS_READ_SCOPE = 'ops:read';

const PROJECTION_NAMES = allProjections.map((p) => p.name);
const position = (p: LogPosition | null): string | null => (p ? formatPosition(p) : null);

class RebuildDto {
  @ApiProperty({ description: 'The version being rebuilt.' }) version!: number;
  @ApiProperty({ nullable: true, type: String, example: '1234-1234', description: 'Where the rebuild lane is; null: at the start.' })
  position!: string | null;
}

class ProjectionStatusDto {
  @ApiProperty({ example: 'revenue-read-model' }) name!: string;
  @ApiProperty({ description: 'The version declared in code.' }) version!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Version that built the live tables; null before the first start.' })
  liveVersion!: number | null;
  @ApiProperty({ enum: ['pending', 'running', 'rebuilding', 'halted'] }) state!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '1234-1234',
    description: 'Live checkpoint "<commit>-<prepare>" (the last event in the live tables); null: none yet.',
  })
  position!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Events of its types after the checkpoint; null when the store cannot tell.' })
  lagEvents!: number | null;
  @ApiProperty({ description: 'Events parked in the dead-letter table.' }) parkedCount!: number;
  @ApiProperty({ nullable: true, type: String, description: 'Why it halted (the parked event and its error).' }) haltedReason!:
    string | null;
  @ApiProperty({ type: RebuildDto, nullable: true, description: 'The rebuild in progress, if any.' }) rebuild!: RebuildDto | null;
}

class ProjectionsResponse {
  @ApiProperty({ type: [ProjectionStatusDto] }) items!: ProjectionStatusDto[];
}

export class ParkedQuery {
  @ApiPropertyOptional({ enum: PROJECTION_NAMES, description: 'Only this projection (default: every one).' })
  @IsOptional()
  @IsIn(PROJECTION_NAMES, { message: `projection must be one of the known projections: ${PROJECTION_NAMES.join(', ')}` })
  projection?: string;

  @PageLimit(200, 50)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.', example: '42' })
  @IsOptional()
  @Matches(/^[1-9]\d{0,17}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

class ParkedEventDto {
  @ApiProperty({ example: '42', description: 'The dead letter id (also the page cursor).' }) id!: string;
  @ApiProperty({ enum: PROJECTION_NAMES }) projection!: string;
  @ApiProperty({ description: 'The event id (metadata.eventId).' }) eventId!: string;
  @ApiProperty({ example: 'revenue.opportunity-detected.v1' }) eventType!: string;
  @ApiProperty({ example: '1234-1234', description: 'The event\'s log position "<commit>-<prepare>".' }) position!: string;
  @ApiProperty({ description: 'The error (name and message) of the last attempt.' }) error!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ format: 'date-time' }) parkedAt!: string;
}

class ParkedPage {
  @ApiProperty({ type: [ParkedEventDto], description: 'In log order; no event payload.' }) items!: readonly ParkedEventView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page.' }) nextCursor!:
    string | null;
}

/** The projection runner as operators see it: status and lag per read model, and the events they parked. */
@ApiTags('ops')
@ApiBearerAuth()
@Controller('api/ops')
export class ProjectionsOpsController {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
    @Inject(PROJECTION_STATUS_SOURCE) private readonly runner: ProjectionStatusSource,
  ) {}

  @Get('projections')
  @RequireScope(OPS_READ_SCOPE)
  @ApiOperation({ summary: 'Every projection: version, state, checkpoint position, lag in events, parked events, rebuild.' })
  @ApiOkResponse({ type: ProjectionsResponse })
  async projections(): Promise<ProjectionsResponse> {
    const statuses = await this.runner.status();
    return {
      items: statuses.map((s) => ({
        name: s.name,
        version: s.version,
        liveVersion: s.liveVersion,
        state: s.state,
        position: position(s.position),
        lagEvents: s.lagEvents,
        parkedCount: s.parkedCount,
        haltedReason: s.haltedReason,
        rebuild: s.rebuild ? { version: s.rebuild.version, position: position(s.rebuild.position) } : null,
      })),
    };
  }

  @Get('parked')
  @RequireScope(OPS_READ_SCOPE)
  @ApiOperation({ summary: 'Events the projections parked (could not apply), in log order: ids, type, position, error; no payload.' })
  @ApiOkResponse({ type: ParkedPage })
  @ApiProblems({ 400: 'Unknown projection (the answer names the known ones), invalid limit or cursor.' })
  async parked(@Query() query: ParkedQuery): Promise<ParkedPage> {
    const limit = query.limit ?? 50;
    // One row more than asked tells whether another page exists without a count.
    const rows = await listParkedEvents(this.pool, {
      projections: query.projection ? [query.projection] : PROJECTION_NAMES,
      limit: limit + 1,
      ...(query.cursor ? { after: query.cursor } : {}),
    });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
  }
}

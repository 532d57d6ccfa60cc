import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import type { DatabasePool } from '#database';
import { listOutbox, OPEN_OUTBOX_STATES, OUTBOX_STATES, type OutboxKind, type OutboxState } from '#runtime';
import { RequireScope } from '../platform/auth/decorators.js';
import { PageLimit } from '../platform/http/query-params.js';
import { FEATURE_DEPS, type ResolvedFeatureDeps } from '../platform/feature-deps.js';
import { DATABASE_POOL } from '../platform/tokens.js';

export class OutboxQuery {
  @ApiPropertyOptional({
    enum: ['delivery', 'proposal'],
    default: 'delivery',
    description: 'Deliveries to channels, or proposal notices to MAOS.',
  })
  @IsOptional()
  @IsIn(['delivery', 'proposal'])
  kind?: OutboxKind;

  @ApiPropertyOptional({
    description: `Comma-separated states (${OUTBOX_STATES.join(', ')}). Default: ${OPEN_OUTBOX_STATES.join(',')}.`,
    example: 'retrying,gave-up',
  })
  @IsOptional()
  @Matches(new RegExp(`^(${OUTBOX_STATES.join('|')})(,(${OUTBOX_STATES.join('|')}))*$`), {
    message: `state must be a comma-separated list of ${OUTBOX_STATES.join(', ')}`,
  })
  state?: string;

  @PageLimit(500, 50)
  limit?: number;
}

class OutboxItem {
  @ApiProperty({ enum: ['delivery', 'proposal'] }) kind!: string;
  @ApiProperty({ format: 'uuid', description: "Also the receiver's idempotency key." }) actionId!: string;
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty({ example: 'send_email' }) actionType!: string;
  @ApiProperty({ example: 'webhook', description: 'webhook or log (deliveries), maos (proposal notices).' }) channelKind!: string;
  @ApiProperty({ enum: OUTBOX_STATES }) state!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ format: 'date-time' }) queuedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'HTTP status or network failure of the last failed attempt.' }) lastError!:
    string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) settledAt!: string | null;
}

class OutboxPage {
  @ApiProperty({ type: [OutboxItem] }) items!: OutboxItem[];
}

/** The dispatcher's outbox, for operators' service tokens (scope ops:read): what waits, retries or gave up, with the last error. */
@ApiTags('ops')
@ApiBearerAuth()
@Controller('api/ops/outbox')
export class OutboxController {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
    @Inject(FEATURE_DEPS) private readonly deps: ResolvedFeatureDeps,
  ) {}

  @Get()
  @RequireScope('ops:read')
  @ApiOperation({ summary: 'Outbox entries, newest first (at most limit): state, attempts, next attempt, last error.' })
  @ApiOkResponse({ type: OutboxPage })
  @ApiResponse({ status: 400, description: 'Invalid kind, state or limit.' })
  async list(@Query() query: OutboxQuery): Promise<OutboxPage> {
    const states = query.state ? (query.state.split(',') as OutboxState[]) : OPEN_OUTBOX_STATES;
    const items = await listOutbox(this.pool, {
      kind: query.kind ?? 'delivery',
      states,
      limit: query.limit ?? 50,
      now: this.deps.clock.now(),
    });
    return { items };
  }
}

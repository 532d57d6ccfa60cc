import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { isUuid, UUID_PATTERN, type DatabasePool } from '#database';
import { effectReport, listAttributions, type AttributionView, type EffectReport } from '#read-models';
import { OPPORTUNITY_TYPES, type OpportunityType } from '#revenue';
import { RequireScope } from '../platform/auth/decorators.js';
import { problems } from '../platform/errors/problem.js';
import { PageLimit } from '../platform/http/query-params.js';
import { FEATURE_DEPS, type ResolvedFeatureDeps } from '../platform/feature-deps.js';
import { DATABASE_POOL } from '../platform/tokens.js';

/** The scope of the fleet-wide effect reads: analysts' and MAOS's service tokens, never a user's. */
export const ANALYTICS_READ_SCOPE = 'analytics:read';

class IntervalDto {
  @ApiProperty() estimate!: number;
  @ApiProperty() low!: number;
  @ApiProperty() high!: number;
}
class ArmDto {
  @ApiProperty({ description: 'Orgs observed (each once: its first observed opportunity of the play).' }) orgs!: number;
  @ApiProperty() conversions!: number;
  @ApiProperty({ nullable: true, type: Number }) conversionRate!: number | null;
  @ApiProperty({ description: 'Monthly value realised by the conversions, at the price list.' }) realisedMrr!: number;
}
class PlayEffectDto {
  @ApiProperty({ enum: [...OPPORTUNITY_TYPES, 'overall'] }) play!: string;
  @ApiProperty({ nullable: true, type: String }) experimentId!: string | null;
  @ApiProperty({ nullable: true, type: Number }) holdoutShare!: number | null;
  @ApiProperty({ type: ArmDto }) treatment!: ArmDto;
  @ApiProperty({ type: ArmDto }) control!: ArmDto;
  @ApiProperty() enoughData!: boolean;
  @ApiProperty({ nullable: true, type: String, example: 'not enough data: 34 control orgs observed, at least 100 per arm needed' })
  notEnoughDataReason!: string | null;
  @ApiProperty({ type: IntervalDto, nullable: true, description: 'Absolute lift (0.02 = 2 points), 95 % Newcombe hybrid score interval.' })
  lift!: IntervalDto | null;
  @ApiProperty({ type: IntervalDto, nullable: true }) incrementalConversions!: IntervalDto | null;
  @ApiProperty({ type: IntervalDto, nullable: true }) incrementalMrr!: IntervalDto | null;
  @ApiProperty({ description: "Credits charged for the treatment arm's counted opportunities." }) creditsSpent!: number;
  @ApiProperty({ nullable: true, type: Number }) incrementalMrrPerCredit!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Smallest lift detectable with 80 % power at these sample sizes.' })
  minimumDetectableEffect!: number | null;
}
class EffectMethodDto {
  @ApiProperty() lift!: string;
  @ApiProperty() incrementalMrr!: string;
  @ApiProperty() minimumDetectableEffect!: string;
  @ApiProperty() horizon!: string;
  @ApiProperty() minimumSamplePerArm!: number;
  @ApiProperty() confidence!: number;
  @ApiProperty() power!: number;
  @ApiProperty() unit!: string;
  @ApiProperty() overall!: string;
}
class EffectReportDto {
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: EffectMethodDto }) method!: EffectMethodDto;
  @ApiProperty() observationWindowDays!: number;
  @ApiProperty({ type: [PlayEffectDto], description: 'One per play and experiment with observations.' }) plays!: PlayEffectDto[];
  @ApiProperty({ type: PlayEffectDto }) overall!: PlayEffectDto;
}

export class AttributionQuery {
  @ApiPropertyOptional({ enum: OPPORTUNITY_TYPES })
  @IsOptional()
  @IsIn(OPPORTUNITY_TYPES)
  play?: OpportunityType;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  // Any version, as the rest of the API (demo org ids are md5-derived, not RFC 4122 v4).
  @Matches(UUID_PATTERN, { message: 'orgId must be a UUID' })
  orgId?: string;

  @PageLimit(500, 50)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

class AttributionActionDto {
  @ApiProperty({ format: 'uuid' }) actionId!: string;
  @ApiProperty() actionType!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ description: 'sent = dispatched; accepted / declined = the outcome reported by the channel.' }) result!: string;
  @ApiProperty({ format: 'date-time' }) proposedAt!: string;
  @ApiProperty() creditsCharged!: number;
}
class AttributionObservationDto {
  @ApiProperty({ format: 'date-time' }) windowStart!: string;
  @ApiProperty({ format: 'date-time' }) windowEnd!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) evidence!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) observedAt!: string;
}
class AttributionItemDto {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty({ format: 'uuid' }) opportunityId!: string;
  @ApiProperty({ enum: OPPORTUNITY_TYPES }) play!: string;
  @ApiProperty({ nullable: true, type: String }) experimentId!: string | null;
  @ApiProperty({ nullable: true, enum: ['treatment'], type: String, description: 'Null: the play had no holdout.' }) arm!: string | null;
  @ApiProperty({ format: 'date-time' }) detectedAt!: string;
  @ApiProperty({ type: [AttributionActionDto] }) actions!: AttributionActionDto[];
  @ApiProperty({ type: AttributionObservationDto }) observation!: AttributionObservationDto;
  @ApiProperty() realisedMrr!: number;
}
class AttributionPageDto {
  @ApiProperty({ type: [AttributionItemDto] }) items!: AttributionItemDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

const encodeCursor = (item: AttributionView) =>
  Buffer.from(JSON.stringify([item.observation.observedAt, item.opportunityId])).toString('base64url');

/** Year 0000 is valid to JavaScript but out of range for timestamptz (no year 0 there): refused too. */
const ISO_MILLIS = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Anything encodeCursor did not produce is a 400 naming `cursor` (never a query PostgreSQL would refuse). */
function decodeCursor(cursor: string): { observedAt: string; opportunityId: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const [observedAt, opportunityId] = Array.isArray(parsed) && parsed.length === 2 ? (parsed as unknown[]) : [];
  const instant = typeof observedAt === 'string' && ISO_MILLIS.test(observedAt) ? Date.parse(observedAt) : Number.NaN;
  if (
    Number.isNaN(instant) ||
    new Date(instant).toISOString() !== observedAt ||
    typeof opportunityId !== 'string' ||
    !isUuid(opportunityId)
  ) {
    throw problems.validation([{ pointer: '#/cursor', detail: 'cursor must be a nextCursor value returned by this endpoint' }]);
  }
  return { observedAt, opportunityId: opportunityId.toLowerCase() };
}

/**
 * Proof of effect, fleet-wide, for service tokens with analytics:read (not the org-scoped
 * /api/revenue/* routes: the report pools every org). Reads the revenue read model.
 */
@ApiTags('analytics')
@ApiBearerAuth()
@Controller('api/analytics')
export class AnalyticsController {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
    @Inject(FEATURE_DEPS) private readonly deps: ResolvedFeatureDeps,
  ) {}

  @Get('effect')
  @RequireScope(ANALYTICS_READ_SCOPE)
  @ApiOperation({
    summary: 'Uplift report: per play, treatment versus control, lift with a 95 % interval, incremental conversions and MRR, MDE.',
  })
  @ApiOkResponse({ type: EffectReportDto })
  async effect(): Promise<EffectReport> {
    return effectReport(this.pool, {
      now: this.deps.clock.now(),
      observationWindowDays: this.deps.observation.windowDays,
    });
  }

  @Get('attribution')
  @RequireScope(ANALYTICS_READ_SCOPE)
  @ApiOperation({
    summary: 'Treated conversions, newest first: opportunity -> actions (dispatch, reported outcome) -> observed conversion -> MRR.',
  })
  @ApiOkResponse({ type: AttributionPageDto })
  @ApiResponse({ status: 400, description: 'Invalid play, orgId, limit or cursor.' })
  async attribution(@Query() query: AttributionQuery): Promise<{ items: AttributionView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 50;
    const rows = await listAttributions(this.pool, {
      limit: limit + 1,
      ...(query.play ? { play: query.play } : {}),
      ...(query.orgId ? { orgId: query.orgId } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
    });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!) : null };
  }
}

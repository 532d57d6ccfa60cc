import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { type DatabasePool } from '#database';
import { revenueSeriesOf, seriesWindow, type RevenueSeries } from '#read-models';
import { ACTION_STATUSES, OPPORTUNITY_TYPES, type ActionStatus, type OpportunityType } from '#revenue';
import { CurrentOrg, CurrentPrincipal } from '../platform/auth/decorators.js';
import { readOrg } from '../platform/auth/org-read.js';
import type { Principal } from '../platform/auth/principal.js';
import type { OrgContext } from '../platform/http/api-request.js';
import { PageLimit } from '../platform/http/query-params.js';
import { DATABASE_POOL } from '../platform/tokens.js';
import { OrgRead } from '../platform/read-your-writes.js';
import { FEATURE_DEPS, type ResolvedFeatureDeps } from '../platform/feature-deps.js';

const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;

export class SeriesQuery {
  /** A whole number 1..366 (the page limit's rules: plain decimal only, else 400). */
  @PageLimit(MAX_DAYS, DEFAULT_DAYS)
  @ApiPropertyOptional({ description: 'How many UTC days, ending today (the service clock), the series covers.' })
  days?: number;
}

/** An object with one whole-number member per key (OpenAPI), e.g. per opportunity type. */
const countsPer = (keys: readonly string[], description: string) =>
  ApiProperty({
    type: 'object',
    description,
    properties: Object.fromEntries(keys.map((key) => [key, { type: 'integer', minimum: 0 }])),
    required: [...keys],
  });

class SeriesDayDto {
  @ApiProperty({ format: 'date', example: '2026-11-01', description: 'UTC day.' }) day!: string;
  @countsPer(OPPORTUNITY_TYPES, 'Opportunities detected (opened) that day, by type.')
  detected!: Record<OpportunityType, number>;
  @ApiProperty({
    example: 45.5,
    description: 'Potential MRR at the end of the day: what GET /api/revenue/expansion answered then (cents precision).',
  })
  potentialMRR!: number;
  @countsPer(ACTION_STATUSES, 'Actions that entered each status that day (the action funnel).')
  funnel!: Record<ActionStatus, number>;
}

class SeriesResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ format: 'date', description: 'First day (UTC) of the series.' }) from!: string;
  @ApiProperty({ format: 'date', description: 'Last day (UTC): today.' }) to!: string;
  @ApiProperty({ type: [SeriesDayDto], description: 'Every day from..to, ascending (days without activity are zeros).' })
  days!: readonly SeriesDayDto[];
}

/** The dashboard's charts: the revenue-daily projection's aggregates (migration 115), one row per day. */
@ApiTags('revenue')
@Controller('api/revenue/series')
export class SeriesController {
  constructor(
    @Inject(FEATURE_DEPS) private readonly deps: ResolvedFeatureDeps,
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
  ) {}

  @Get()
  @OrgRead()
  @ApiOperation({
    summary: 'Per UTC day: opportunities detected by type, potential MRR at the end of the day, actions entering each status.',
  })
  @ApiOkResponse({ type: SeriesResponse })
  async series(
    @Query() query: SeriesQuery,
    @CurrentPrincipal() principal: Principal,
    @CurrentOrg() org: OrgContext,
  ): Promise<SeriesResponse> {
    const window = seriesWindow(this.deps.clock.now(), query.days ?? DEFAULT_DAYS);
    const series: RevenueSeries = await readOrg(this.pool, principal, org, (tx) =>
      revenueSeriesOf(tx, org.orgId, window, this.deps.ruleSet),
    );
    return { success: true, ...series };
  }
}

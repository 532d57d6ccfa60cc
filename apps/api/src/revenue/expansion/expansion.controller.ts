import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type DatabasePool } from '#database';
import { withRlsSession } from '#database';
import { expansionOf } from '#read-models';
import { CurrentOrg, CurrentPrincipal } from '../../auth/decorators.js';
import type { UserPrincipal } from '../../auth/principal.js';
import type { OrgContext } from '../../http/api-request.js';
import { DATABASE_POOL } from '../../tokens.js';
import { OrgRead } from '../read-your-writes/org-read.decorator.js';
import { REVENUE_API_DEPS, type RevenueApiDeps } from '../revenue-api.deps.js';
import { OpportunityDto } from '../views/opportunity.dto.js';

class ExpansionDto {
  @ApiProperty({
    example: 45.5,
    description: 'Sum of weight x confidence over open upsell, cross-sell and feature-expansion opportunities.',
  })
  potentialMRR!: number;
  @ApiProperty({ description: 'How many opportunities the sum covers.' }) opportunities!: number;
  @ApiProperty({ type: OpportunityDto, nullable: true }) topOpportunity!: OpportunityDto | null;
}

class ExpansionResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: ExpansionDto }) expansion!: ExpansionDto;
}

@ApiTags('revenue')
@Controller('api/revenue/expansion')
export class ExpansionController {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
    @Inject(REVENUE_API_DEPS) private readonly deps: RevenueApiDeps,
  ) {}

  @Get()
  @OrgRead()
  @ApiOperation({ summary: "The spec's expansion revenue calculation over the org's open opportunities." })
  @ApiOkResponse({ type: ExpansionResponse })
  async expansion(@CurrentPrincipal() user: UserPrincipal, @CurrentOrg() org: OrgContext): Promise<ExpansionResponse> {
    const expansion = await withRlsSession(this.pool, user.claims, (tx) => expansionOf(tx, org.orgId, this.deps.ruleSet));
    return { success: true, expansion };
  }
}

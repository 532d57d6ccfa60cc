import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type DatabasePool } from '#database';
import { expansionOf } from '#read-models';
import { CurrentOrg, CurrentPrincipal } from '../platform/auth/decorators.js';
import { readOrg } from '../platform/auth/org-read.js';
import type { Principal } from '../platform/auth/principal.js';
import type { OrgContext } from '../platform/http/api-request.js';
import { DATABASE_POOL } from '../platform/tokens.js';
import { OrgRead } from '../platform/read-your-writes.js';
import { FEATURE_DEPS, type ResolvedFeatureDeps } from '../platform/feature-deps.js';
import { OpportunityDto } from './opportunity.dto.js';

class ArmExpansionDto {
  @ApiProperty() potentialMRR!: number;
  @ApiProperty() opportunities!: number;
}

class ExpansionByArmDto {
  @ApiProperty({ type: ArmExpansionDto, description: 'Actioned: the treatment arm, and plays without a holdout.' })
  treatment!: ArmExpansionDto;
  @ApiProperty({ type: ArmExpansionDto, description: 'Held out (control): detected and tracked, never actioned.' })
  control!: ArmExpansionDto;
}

class ExpansionDto {
  @ApiProperty({
    example: 45.5,
    description: 'Sum of weight x confidence over open upsell, cross-sell and feature-expansion opportunities.',
  })
  potentialMRR!: number;
  @ApiProperty({ description: 'How many opportunities the sum covers.' }) opportunities!: number;
  @ApiProperty({ type: OpportunityDto, nullable: true }) topOpportunity!: OpportunityDto | null;
  @ApiProperty({ type: ExpansionByArmDto, description: 'potentialMRR split by experiment arm (each rounded to cents on its own).' })
  byArm!: ExpansionByArmDto;
  @ApiProperty({ description: 'Which opportunities potentialMRR counts.' }) potentialMRRDefinition!: string;
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
    @Inject(FEATURE_DEPS) private readonly deps: ResolvedFeatureDeps,
  ) {}

  @Get()
  @OrgRead()
  @ApiOperation({ summary: "The spec's expansion revenue calculation over the org's open opportunities." })
  @ApiOkResponse({ type: ExpansionResponse })
  async expansion(@CurrentPrincipal() principal: Principal, @CurrentOrg() org: OrgContext): Promise<ExpansionResponse> {
    const expansion = await readOrg(this.pool, principal, org, (tx) => expansionOf(tx, org.orgId, this.deps.ruleSet));
    return { success: true, expansion };
  }
}

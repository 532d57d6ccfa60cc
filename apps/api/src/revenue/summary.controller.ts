import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type DatabasePool } from '#database';
import { creditsChargedOf, revenueSummaryOf, type RevenueSummary } from '#read-models';
import { CurrentOrg, CurrentPrincipal } from '../platform/auth/decorators.js';
import { readOrg } from '../platform/auth/org-read.js';
import type { Principal } from '../platform/auth/principal.js';
import type { OrgContext } from '../platform/http/api-request.js';
import { DATABASE_POOL } from '../platform/tokens.js';
import { OrgRead } from '../platform/read-your-writes.js';
import { FEATURE_DEPS, type ResolvedFeatureDeps } from '../platform/feature-deps.js';

class MrrByTypeDto {
  @ApiProperty({ example: 12.75 }) upsell!: number;
  @ApiProperty({ example: 7.5 }) cross_sell!: number;
  @ApiProperty({ example: 3.5 }) feature_expansion!: number;
}

class OpenByTypeDto {
  @ApiProperty() upsell!: number;
  @ApiProperty() cross_sell!: number;
  @ApiProperty() feature_expansion!: number;
  @ApiProperty() retention_intervention!: number;
  @ApiProperty() credit_marketplace_offer!: number;
}

class ActionsByStatusDto {
  @ApiProperty() proposed!: number;
  @ApiProperty() approved!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty() sent!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() accepted!: number;
  @ApiProperty() declined!: number;
  @ApiProperty() expired!: number;
}

class CreditsDto {
  @ApiProperty({ example: 0.04, description: 'Credits held by proposed and approved actions now.' }) reserved!: number;
  @ApiProperty({ example: 0.02, description: 'Every charge of the credit ledger (sent actions).' }) charged!: number;
}

class SummaryDto {
  @ApiProperty({ example: 23.75, description: 'The same number as GET /api/revenue/expansion.' }) potentialMRR!: number;
  @ApiProperty({ type: MrrByTypeDto, description: 'potentialMRR per type; the parts add up to potentialMRR to the cent.' })
  potentialMRRByType!: MrrByTypeDto;
  @ApiProperty({ type: OpenByTypeDto, description: 'Open opportunities per type.' }) openByType!: OpenByTypeDto;
  @ApiProperty({ type: ActionsByStatusDto, description: 'Actions per status now.' }) actionsByStatus!: ActionsByStatusDto;
  @ApiProperty({ type: Number, nullable: true, description: 'accepted / (accepted + declined); null while both are 0.' })
  acceptanceRate!: number | null;
  @ApiProperty({ type: CreditsDto }) credits!: CreditsDto;
}

class SummaryResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: SummaryDto }) summary!: SummaryDto;
}

@ApiTags('revenue')
@Controller('api/revenue/summary')
export class SummaryController {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
    @Inject(FEATURE_DEPS) private readonly deps: ResolvedFeatureDeps,
  ) {}

  @Get()
  @OrgRead()
  @ApiOperation({
    summary: "The org's headline figures: potential MRR by type, open opportunities by type, actions by status, acceptance rate, credits.",
  })
  @ApiOkResponse({ type: SummaryResponse })
  async summary(
    @CurrentPrincipal() principal: Principal,
    @CurrentOrg() org: OrgContext,
  ): Promise<{ success: true; summary: RevenueSummary }> {
    const figures = await readOrg(this.pool, principal, org, (tx) => revenueSummaryOf(tx, org.orgId, this.deps.ruleSet));
    // The ledger has no RLS policy: read with the API's role, now that the guard has admitted the caller to the org.
    const charged = await creditsChargedOf(this.pool, org.orgId);
    return { success: true, summary: { ...figures, credits: { ...figures.credits, charged } } };
  }
}

import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type DatabasePool } from '#database';
import { pageOfOpportunities } from '#read-models';
import { CurrentOrg, CurrentPrincipal } from '../platform/auth/decorators.js';
import { readOrg } from '../platform/auth/org-read.js';
import type { Principal } from '../platform/auth/principal.js';
import type { OrgContext } from '../platform/http/api-request.js';
import { DATABASE_POOL } from '../platform/tokens.js';
import { OrgRead } from '../platform/read-your-writes.js';
import { DEFAULT_PAGE_SIZE, ListOpportunitiesQuery, OpportunityPage } from './list-opportunities.dto.js';
import { decodeCursor, encodeCursor } from './opportunity-cursor.js';

@ApiTags('revenue')
@Controller('api/revenue/opportunities')
export class ListOpportunitiesController {
  constructor(@Inject(DATABASE_POOL) private readonly pool: DatabasePool) {}

  @Get()
  @OrgRead()
  @ApiOperation({ summary: "The org's revenue opportunities, highest confidence first (or newest / oldest first), keyset-paginated." })
  @ApiOkResponse({ type: OpportunityPage })
  async list(
    @Query() query: ListOpportunitiesQuery,
    @CurrentPrincipal() principal: Principal,
    @CurrentOrg() org: OrgContext,
  ): Promise<OpportunityPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const sort = query.sort ?? 'confidence';
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort);
    const { opportunities, next } = await readOrg(this.pool, principal, org, (tx) =>
      pageOfOpportunities(tx, org.orgId, {
        ...(query.type ? { types: [query.type] } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.minConfidence !== undefined ? { minConfidence: query.minConfidence } : {}),
        ...(after ? { after } : {}),
        sort,
        limit,
      }),
    );
    return { success: true, opportunities, nextCursor: next ? encodeCursor(next) : null };
  }
}

import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type DatabasePool } from '#database';
import { withRlsSession } from '#database';
import { listOpportunities } from '#read-models';
import { CurrentOrg, CurrentPrincipal } from '../platform/auth/decorators.js';
import type { UserPrincipal } from '../platform/auth/principal.js';
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
  @ApiOperation({ summary: "The org's revenue opportunities, highest confidence first, keyset-paginated." })
  @ApiOkResponse({ type: OpportunityPage })
  async list(
    @Query() query: ListOpportunitiesQuery,
    @CurrentPrincipal() user: UserPrincipal,
    @CurrentOrg() org: OrgContext,
  ): Promise<OpportunityPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    // One row more than asked tells whether another page exists without a count query.
    const rows = await withRlsSession(this.pool, user.claims, (tx) =>
      listOpportunities(tx, org.orgId, {
        ...(query.type ? { types: [query.type] } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.minConfidence !== undefined ? { minConfidence: query.minConfidence } : {}),
        ...(after ? { after } : {}),
        limit: limit + 1,
      }),
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor({ confidence: last.confidence, id: last.id }) : null;
    return { success: true, opportunities: page, nextCursor };
  }
}

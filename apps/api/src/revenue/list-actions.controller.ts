import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type DatabasePool } from '#database';
import { withRlsSession } from '#database';
import { listActionsOf } from '#read-models';
import { CurrentOrg, CurrentPrincipal } from '../platform/auth/decorators.js';
import type { UserPrincipal } from '../platform/auth/principal.js';
import type { OrgContext } from '../platform/http/api-request.js';
import { DATABASE_POOL } from '../platform/tokens.js';
import { OrgRead } from '../platform/read-your-writes.js';
import { ActionDto } from './action.dto.js';
import { uuidParam } from '../platform/http/uuid-param.js';
import { problems } from '../platform/errors/problem.js';

class ActionHistory {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: [ActionDto], description: 'Newest first.' }) actions!: ActionDto[];
}

@ApiTags('revenue')
@Controller('api/revenue/actions')
export class ListActionsController {
  constructor(@Inject(DATABASE_POOL) private readonly pool: DatabasePool) {}

  @Get(':opportunityId')
  @OrgRead()
  @ApiOperation({ summary: "An opportunity's action history, newest first." })
  @ApiOkResponse({ type: ActionHistory })
  @ApiNotFoundResponse({ description: 'The opportunity is not visible in the organization.' })
  async history(
    @Param('opportunityId', uuidParam('opportunityId')) opportunityId: string,
    @CurrentPrincipal() user: UserPrincipal,
    @CurrentOrg() org: OrgContext,
  ): Promise<ActionHistory> {
    const actions = await withRlsSession(this.pool, user.claims, (tx) => listActionsOf(tx, org.orgId, opportunityId.toLowerCase()));
    if (actions === null) throw problems.opportunityNotFound();
    return { success: true, actions };
  }
}

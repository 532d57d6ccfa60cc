import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type DatabasePool } from '#database';
import { withRlsSession } from '#database';
import { listActionsOf } from '#read-models';
import { CurrentOrg, CurrentPrincipal } from '../../auth/decorators.js';
import type { UserPrincipal } from '../../auth/principal.js';
import type { OrgContext } from '../../http/api-request.js';
import { DATABASE_POOL } from '../../tokens.js';
import { OrgRead } from '../read-your-writes/org-read.decorator.js';
import { ActionDto } from '../views/action.dto.js';
import { opportunityNotFound, uuidParam } from '../views/opportunity-param.js';

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
    @Param('opportunityId', uuidParam()) opportunityId: string,
    @CurrentPrincipal() user: UserPrincipal,
    @CurrentOrg() org: OrgContext,
  ): Promise<ActionHistory> {
    const actions = await withRlsSession(this.pool, user.claims, (tx) => listActionsOf(tx, org.orgId, opportunityId.toLowerCase()));
    if (actions === null) throw opportunityNotFound();
    return { success: true, actions };
  }
}

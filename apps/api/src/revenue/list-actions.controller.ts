import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type DatabasePool } from '#database';
import { deliveriesOf, listActionsOf } from '#read-models';
import { CurrentOrg, CurrentPrincipal } from '../platform/auth/decorators.js';
import { readOrg } from '../platform/auth/org-read.js';
import type { Principal } from '../platform/auth/principal.js';
import type { OrgContext } from '../platform/http/api-request.js';
import { DATABASE_POOL } from '../platform/tokens.js';
import { OrgRead } from '../platform/read-your-writes.js';
import { FEATURE_DEPS, type ResolvedFeatureDeps } from '../platform/feature-deps.js';
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
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
    @Inject(FEATURE_DEPS) private readonly deps: ResolvedFeatureDeps,
  ) {}

  @Get(':opportunityId')
  @OrgRead()
  @ApiOperation({ summary: "An opportunity's action history, newest first, each with its delivery by the engine (if any)." })
  @ApiOkResponse({ type: ActionHistory })
  @ApiNotFoundResponse({ description: 'The opportunity is not visible in the organization.' })
  async history(
    @Param('opportunityId', uuidParam('opportunityId')) opportunityId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentOrg() org: OrgContext,
  ): Promise<ActionHistory> {
    const actions = await readOrg(this.pool, principal, org, (tx) => listActionsOf(tx, org.orgId, opportunityId.toLowerCase()));
    if (actions === null) throw problems.opportunityNotFound();
    // The outbox tables are the API's own (no RLS): read for exactly the actions the read above returned.
    const deliveries = await deliveriesOf(
      this.pool,
      actions.map((a) => a.id),
      this.deps.clock.now(),
    );
    return { success: true, actions: actions.map((a) => ({ ...a, delivery: deliveries.get(a.id) ?? null })) };
  }
}

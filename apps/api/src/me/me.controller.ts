import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { sql, type DatabasePool } from '#database';
import { withRlsSession } from '#database';
import { CurrentPrincipal } from '../platform/auth/decorators.js';
import type { UserPrincipal } from '../platform/auth/principal.js';
import { DATABASE_POOL } from '../platform/tokens.js';

class MyOrg {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty({ enum: ['owner', 'admin', 'member'] }) role!: string;
}

class MyOrgs {
  @ApiProperty({ type: [MyOrg] }) orgs!: MyOrg[];
}

/** Which orgs the caller belongs to, so a dashboard can offer an X-Org-Id choice. */
@ApiTags('me')
@ApiBearerAuth()
@Controller('api/me')
export class MeController {
  constructor(@Inject(DATABASE_POOL) private readonly pool: DatabasePool) {}

  @Get('orgs')
  @ApiOkResponse({ type: MyOrgs })
  async orgs(@CurrentPrincipal() user: UserPrincipal): Promise<MyOrgs> {
    // No WHERE on purpose: the user_organizations self-select policy returns only the caller's rows.
    const rows = await withRlsSession(this.pool, user.claims, (tx) =>
      tx.any(sql.unsafe`SELECT org_id AS "orgId", role FROM user_organizations ORDER BY created_at, org_id`),
    );
    return { orgs: rows as MyOrg[] };
  }
}

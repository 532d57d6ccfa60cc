import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { sql, type DatabasePool } from '#database';
import { CurrentPrincipal } from '../platform/auth/decorators.js';
import { MAX_ORG_SEARCH_LENGTH, nameContains, OrgNameSearch } from '../platform/auth/org-name-search.js';
import { chooseOrg, type Membership } from '../platform/auth/org-resolver.js';
import type { UserPrincipal } from '../platform/auth/principal.js';
import { createValidationPipe } from '../platform/errors/validation.js';
import { PageLimit } from '../platform/http/query-params.js';
import { DATABASE_POOL } from '../platform/tokens.js';
import { decodeMeOrgsCursor, encodeMeOrgsCursor } from './me-orgs-cursor.js';

export const MAX_ME_ORGS_PAGE = 500;
export const DEFAULT_ME_ORGS_PAGE = 100;

/** The rules of the three parameters (documented by the route's @ApiQuery: the DTO is applied by hand). */
export class MeOrgsQuery {
  @IsOptional() @IsString() @MaxLength(200) cursor?: string;

  @PageLimit(MAX_ME_ORGS_PAGE, DEFAULT_ME_ORGS_PAGE) limit?: number;

  @OrgNameSearch() search?: string;
}

const ROLES = ['owner', 'admin', 'member'] as const;

/**
 * Only `limit`, `cursor` and `search` are this route's parameters; any other query parameter is
 * ignored, as it was before the route had parameters (the global pipe would refuse unknown ones).
 * They are validated by the same pipe as every DTO, so their errors are the usual 400 problem.
 */
const PARAMETERS = new Set(['limit', 'cursor', 'search']);
const queryPipe = createValidationPipe();
async function pageQuery(raw: Readonly<Record<string, unknown>>): Promise<MeOrgsQuery> {
  const picked = Object.fromEntries(Object.entries(raw).filter(([key]) => PARAMETERS.has(key)));
  return (await queryPipe.transform(picked, { type: 'query', metatype: MeOrgsQuery })) as MeOrgsQuery;
}

class MyOrgItem {
  @ApiProperty({ format: 'uuid', description: 'Send as X-Org-Id.' }) orgId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES, description: "The caller's role in the org." }) role!: Membership['role'];
  @ApiProperty({
    description: "Whether the caller may read the org's revenue data (/api/revenue/*): owners and admins may, members may not.",
  })
  canReadRevenue!: boolean;
}

class MyOrgRole {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty({ enum: ROLES }) role!: Membership['role'];
}

class MyOrgsPage {
  @ApiProperty({ type: [MyOrgItem], description: 'This page of memberships, in org id order.' }) items!: MyOrgItem[];
  @ApiProperty({
    type: [MyOrgRole],
    deprecated: true,
    description: 'The same page as `items` in the earlier shape (org id and role only); read `items`.',
  })
  orgs!: MyOrgRole[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}

/** Which orgs the caller belongs to, so a dashboard can offer an X-Org-Id choice. */
@ApiTags('me')
@ApiBearerAuth()
@Controller('api/me')
export class MeController {
  constructor(@Inject(DATABASE_POOL) private readonly pool: DatabasePool) {}

  @Get('orgs')
  @ApiOperation({
    summary:
      "The caller's org memberships, a page at a time (org id order), each with its name, role and whether its revenue data is readable; optionally only orgs whose name contains `search`.",
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_ME_ORGS_PAGE, default: DEFAULT_ME_ORGS_PAGE },
  })
  @ApiQuery({
    name: 'cursor',
    required: false,
    schema: { type: 'string', maxLength: 200 },
    description: 'The nextCursor of the previous page (opaque).',
  })
  @ApiQuery({
    name: 'search',
    required: false,
    schema: { type: 'string', maxLength: MAX_ORG_SEARCH_LENGTH },
    description: 'Only orgs whose name contains this text (case-insensitive; % and _ are plain characters).',
  })
  @ApiOkResponse({ type: MyOrgsPage })
  @ApiResponse({ status: 400, description: 'Invalid limit, cursor or search (problem+json).' })
  @ApiResponse({ status: 401, description: 'Missing, expired or invalid access token.' })
  @ApiResponse({ status: 403, description: 'Service tokens: this route is for users.' })
  @ApiResponse({ status: 429, description: 'Rate limit reached; see Retry-After.' })
  async orgs(@CurrentPrincipal() user: UserPrincipal, @Query() raw: Record<string, unknown>): Promise<MyOrgsPage> {
    const query = await pageQuery(raw);
    const after = query.cursor === undefined ? undefined : decodeMeOrgsCursor(query.cursor);
    if (after instanceof Error) throw after;
    const limit = query.limit ?? DEFAULT_ME_ORGS_PAGE;
    // One statement with the names, so `search` filters before the page is cut. As the API's own
    // role, not under RLS: `authenticated` has no privilege on organizations. The membership
    // condition is the one the self-select policy of user_organizations applies (user_id = the
    // token's verified subject); the primary key (user_id, org_id) gives the order.
    const rows = (await this.pool.any(sql.unsafe`
      SELECT m.org_id AS "orgId", m.role, o.name
      FROM user_organizations m JOIN organizations o ON o.id = m.org_id
      WHERE m.user_id = ${user.id} ${after ? sql.fragment`AND m.org_id > ${after.afterOrgId}` : sql.fragment``}
        AND ${nameContains(sql.identifier(['o', 'name']), query.search)}
      ORDER BY m.org_id
      LIMIT ${limit + 1}`)) as ReadonlyArray<Membership & { name: string }>;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((m) => ({
        orgId: m.orgId,
        name: m.name,
        role: m.role,
        // The rule the API's org check applies (chooseOrg): the same answer /api/revenue/* would give.
        canReadRevenue: !(chooseOrg([m], m.orgId) instanceof Error),
      })),
      orgs: page.map((m) => ({ orgId: m.orgId, role: m.role })),
      nextCursor: rows.length > limit && last ? encodeMeOrgsCursor({ afterOrgId: last.orgId }) : null,
    };
  }
}

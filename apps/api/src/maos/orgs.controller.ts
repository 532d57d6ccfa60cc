import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { sql, type DatabasePool } from '#database';
import { RequireScope } from '../platform/auth/decorators.js';
import { nameContains, OrgNameSearch } from '../platform/auth/org-name-search.js';
import { ORG_READ_SERVICE_SCOPE } from '../platform/auth/org-read.js';
import { PageLimit } from '../platform/http/query-params.js';
import { DATABASE_POOL } from '../platform/tokens.js';
import { decodeOrgsCursor, encodeOrgsCursor, MAX_ORGS_CURSOR_LENGTH } from './orgs-cursor.js';

export const MAX_ORGS_PAGE = 500;
export const DEFAULT_ORGS_PAGE = 100;

export class OrgsQuery {
  @OrgNameSearch()
  search?: string;

  @PageLimit(MAX_ORGS_PAGE, DEFAULT_ORGS_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page (opaque).', maxLength: MAX_ORGS_CURSOR_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_ORGS_CURSOR_LENGTH)
  cursor?: string;
}

class OrgItem {
  @ApiProperty({ format: 'uuid', description: 'Send as X-Org-Id to the org reads.' }) orgId!: string;
  @ApiProperty({ example: 'Acme Ltd' }) name!: string;
}

class OrgsPage {
  @ApiProperty({ type: [OrgItem], description: 'In name order (the database collation), then org id.' }) items!: OrgItem[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page.' }) nextCursor!:
    string | null;
}

/** Every org of the platform, for an operator's org picker (the org reads admit maos:read for any org). */
@ApiTags('maos')
@ApiBearerAuth()
@Controller('api/maos/orgs')
export class MaosOrgsController {
  constructor(@Inject(DATABASE_POOL) private readonly pool: DatabasePool) {}

  @Get()
  @RequireScope(ORG_READ_SERVICE_SCOPE)
  @ApiOperation({ summary: 'Every org, by name then id, a page at a time; optionally only names containing `search`.' })
  @ApiOkResponse({ type: OrgsPage })
  @ApiResponse({ status: 400, description: 'Invalid search, limit or cursor.' })
  async list(@Query() query: OrgsQuery): Promise<OrgsPage> {
    const after = query.cursor === undefined ? undefined : decodeOrgsCursor(query.cursor);
    if (after instanceof Error) throw after;
    const limit = query.limit ?? DEFAULT_ORGS_PAGE;
    // One row more than asked tells whether another page exists without a count.
    const rows = (await this.pool.any(sql.unsafe`
      SELECT id AS "orgId", name FROM organizations
      WHERE ${nameContains(sql.identifier(['name']), query.search)}
        ${after ? sql.fragment`AND (name, id) > (${after.name}, ${after.id}::uuid)` : sql.fragment``}
      ORDER BY name, id
      LIMIT ${limit + 1}`)) as ReadonlyArray<{ orgId: string; name: string }>;
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeOrgsCursor({ name: last.name, id: last.orgId }) : null };
  }
}

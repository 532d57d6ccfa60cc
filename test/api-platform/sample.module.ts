import { Body, Controller, Get, HttpCode, Module, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min, ValidateNested, ArrayMaxSize } from 'class-validator';
import { Inject } from '@nestjs/common';
import { sql, type DatabasePool } from '#database';
import { withRlsSession } from '#database';
import { CurrentOrg, CurrentPrincipal, OrgScoped, RequireScope } from '#api';
import type { UserPrincipal } from '#api';
import type { OrgContext } from '#api';
import { DATABASE_POOL } from '#api';

class Nested {
  @IsBoolean() flag!: boolean;
}

export class EchoBody {
  @IsString() @Length(1, 50) name!: string;
  @IsInt() @Min(0) @Max(1000) count!: number;
  @IsOptional() @IsString({ each: true }) @ArrayMaxSize(5) tags?: string[];
  @IsOptional() @ValidateNested() @Type(() => Nested) nested?: Nested;
}

class Approval {
  @IsUUID() actionId!: string;
}

/** Test-only routes standing in for the revenue endpoints: one per kind of access rule. */
@Controller('api/sample')
class SampleController {
  constructor(@Inject(DATABASE_POOL) private readonly pool: DatabasePool) {}

  /** An org-scoped RLS read with no WHERE clause: what comes back is what the policies allow. */
  @Get('opportunities')
  @OrgScoped()
  async opportunities(@CurrentPrincipal() user: UserPrincipal, @CurrentOrg() org: OrgContext) {
    const orgIds = await withRlsSession(this.pool, user.claims, (tx) =>
      tx.anyFirst(sql.unsafe`SELECT org_id FROM revenue_opportunities ORDER BY org_id`),
    );
    return { org, visibleOrgIds: [...new Set(orgIds)] };
  }

  @Post('approvals')
  @HttpCode(202)
  @RequireScope('maos:approve')
  @OrgScoped()
  approve(@Body() body: Approval, @CurrentOrg() org: OrgContext) {
    return { approved: body.actionId, org };
  }

  @Post('echo')
  echo(@Body() body: EchoBody) {
    return body;
  }

  /** A command that takes no body, and a UUID path parameter: what the HTTP-level rules are tested on. */
  @Post('things/:id/touch')
  @HttpCode(200)
  touch(@Param('id', new ParseUUIDPipe()) id: string) {
    return { touched: id };
  }

  @Get('boom')
  boom(): never {
    throw new Error('relation "secret_table" does not exist; password=hunter2');
  }
}

@Module({ controllers: [SampleController] })
export class SampleModule {}

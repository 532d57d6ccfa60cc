import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DecimalQuery, PageLimit } from '../platform/http/query-params.js';
import { IsIn, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { OPPORTUNITY_STATUSES, OPPORTUNITY_TYPES, type OpportunityStatus, type OpportunityType } from '#revenue';
import { OPPORTUNITY_SORTS, type OpportunitySort } from '#read-models';
import { OpportunityDto } from './opportunity.dto.js';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

export class ListOpportunitiesQuery {
  @ApiPropertyOptional({ enum: OPPORTUNITY_TYPES })
  @IsOptional()
  @IsIn(OPPORTUNITY_TYPES)
  type?: OpportunityType;

  @ApiPropertyOptional({ enum: OPPORTUNITY_STATUSES })
  @IsOptional()
  @IsIn(OPPORTUNITY_STATUSES)
  status?: OpportunityStatus;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'Only opportunities at least this confident.' })
  @IsOptional()
  @DecimalQuery()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  minConfidence?: number;

  @ApiPropertyOptional({
    enum: OPPORTUNITY_SORTS,
    default: 'confidence',
    description:
      'confidence: highest first (then id, descending); newest: latest detection first (then id, descending); oldest: earliest first (then id).',
  })
  @IsOptional()
  @IsIn(OPPORTUNITY_SORTS)
  sort?: OpportunitySort;

  @PageLimit(MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page (opaque; only valid with the same sort).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class OpportunityPage {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: [OpportunityDto], description: 'In the requested sort (default: highest confidence first, then id descending).' })
  opportunities!: OpportunityDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}

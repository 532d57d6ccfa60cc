import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageLimit } from '../platform/http/query-params.js';
import { IsISO8601, IsNumberString, IsOptional, MaxLength } from 'class-validator';

export const MAX_AUDIT_PAGE = 1000;
export const DEFAULT_AUDIT_PAGE = 100;

export class AuditEventsQuery {
  @ApiPropertyOptional({ description: 'First stream revision to return (inclusive).', default: '0', pattern: '^\\d{1,18}$' })
  @IsOptional()
  @IsNumberString({ no_symbols: true })
  @MaxLength(18)
  fromRevision?: string;

  @PageLimit(MAX_AUDIT_PAGE, DEFAULT_AUDIT_PAGE)
  limit?: number;
}

export class StateQuery {
  @ApiPropertyOptional({ format: 'date-time', description: 'Replay events that occurred at or before this time.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @MaxLength(40)
  asOf?: string;

  @ApiPropertyOptional({ description: 'Replay up to and including this stream revision.', pattern: '^\\d{1,18}$' })
  @IsOptional()
  @IsNumberString({ no_symbols: true })
  @MaxLength(18)
  revision?: string;
}

class ActorDto {
  @ApiProperty({ enum: ['user', 'service', 'system'] }) kind!: string;
  @ApiProperty() id!: string;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ example: 'revenue.opportunity-detected.v1' }) type!: string;
  @ApiProperty({ example: '0', description: 'Stream revision (text: int8).' }) revision!: string;
  @ApiProperty({ example: '123-456', description: 'Global log position <commit>-<prepare>.' }) position!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: ActorDto }) actor!: ActorDto;
  @ApiProperty({ type: String, nullable: true }) command!: string | null;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ type: String, nullable: true }) causationId!: string | null;
  @ApiProperty({ type: String, nullable: true }) idempotencyKey!: string | null;
  @ApiProperty({ type: String, nullable: true }) ruleSetVersion!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event data, detections with their evidence.' })
  data!: unknown;
}

export class AuditEventPage {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: [AuditEventDto] }) events!: AuditEventDto[];
  @ApiProperty({ type: String, nullable: true, description: 'fromRevision of the next page; null at the end of the stream.' })
  nextRevision!: string | null;
}

export class OpportunityEvents {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: [AuditEventDto], description: 'In stream order.' }) events!: AuditEventDto[];
}

export class OpportunityStateDto {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: String, nullable: true, description: 'The last stream revision folded.' }) revision!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The opportunity as the domain folded it then.' })
  opportunity!: unknown;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Its actions then, newest first.' })
  actions!: unknown[];
}

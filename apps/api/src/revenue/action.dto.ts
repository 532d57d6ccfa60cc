import { ApiProperty } from '@nestjs/swagger';
import { ACTION_RESULTS, ACTION_STATUSES, ACTION_TYPES } from '#revenue';

/** OpenAPI schema of projections/revenue-read-model ActionView (served as is). */
export class ActionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) opportunityId!: string;
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty({ enum: ACTION_TYPES }) actionType!: string;
  @ApiProperty({ enum: ACTION_RESULTS, description: "The spec's result column." }) result!: string;
  @ApiProperty({ enum: ACTION_STATUSES }) status!: string;
  @ApiProperty({ format: 'date-time' }) performedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt!: string | null;
  @ApiProperty({ example: 0.02 }) creditsReserved!: number;
  @ApiProperty({ example: 0 }) creditsCharged!: number;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
}

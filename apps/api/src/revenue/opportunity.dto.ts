import { ApiProperty } from '@nestjs/swagger';
import { OPPORTUNITY_STATUSES, OPPORTUNITY_TYPES } from '#revenue';

class ObservationDto {
  @ApiProperty() converted!: boolean;
  @ApiProperty({ description: 'Monthly value realised, at the price list (0 when not converted).' }) realisedMrr!: number;
  @ApiProperty({ format: 'date-time' }) observedAt!: string;
  @ApiProperty({ format: 'date-time', description: 'The detection.' }) windowStart!: string;
  @ApiProperty({ format: 'date-time' }) windowEnd!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The platform figures the verdict was taken from.' })
  evidence!: Record<string, unknown>;
}

/** OpenAPI schema of projections/revenue-read-model OpportunityView (served as is). */
export class OpportunityDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: OPPORTUNITY_TYPES }) type!: string;
  @ApiProperty({ example: 'usage_analysis' }) source!: string;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.85 }) confidence!: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
  @ApiProperty({ enum: OPPORTUNITY_STATUSES }) status!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The usage figures the detection rule saw.' })
  evidence!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) ruleSetVersion!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The play's experiment; null when it had no holdout." }) experimentId!:
    string | null;
  @ApiProperty({ type: String, enum: ['treatment', 'control'], nullable: true, description: 'control: held out, never actioned.' })
  arm!: string | null;
  @ApiProperty({ type: ObservationDto, nullable: true, description: 'Set once the observation window has closed and was observed.' })
  observation!: ObservationDto | null;
}

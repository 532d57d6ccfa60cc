import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATES } from '#read-models';
import { ACTION_RESULTS, ACTION_STATUSES, ACTION_TYPES } from '#revenue';

/** OpenAPI schema of projections/revenue-read-model DeliveryView (served as is). */
export class DeliveryDto {
  @ApiProperty({ example: 'webhook', description: 'The channel the engine delivers through: webhook or log.' }) channel!: string;
  @ApiProperty({ enum: DELIVERY_STATES }) state!: string;
  @ApiProperty({ description: 'Delivery attempts made so far.' }) attempts!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the last attempt failed: an HTTP status, a network error code or a timeout (never a URL or a receiver body).',
  })
  lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the next attempt is due, while one may come.' })
  nextAttemptAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the receiver accepted the delivery.' })
  deliveredAt!: string | null;
}

/** OpenAPI schema of projections/revenue-read-model ActionView (served as is), with its delivery. */
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
  @ApiProperty({
    type: DeliveryDto,
    nullable: true,
    description:
      'The engine delivery of an approved action (from the outbox); null when the action was never queued for the engine to deliver.',
  })
  delivery!: DeliveryDto | null;
}

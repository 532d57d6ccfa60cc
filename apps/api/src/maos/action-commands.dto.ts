import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, ValidateBy } from 'class-validator';
import { ACTION_STATUSES, MAX_TEXT_LENGTH, textProblem } from '#revenue';

/** The domain's own free-text rule (trimmed, non-empty, at most MAX_TEXT_LENGTH UTF-16 units): refused here as a 400 naming the field. */
const DomainText = () =>
  ValidateBy({
    name: 'domainText',
    constraints: [MAX_TEXT_LENGTH],
    validator: {
      validate: (value: unknown) => textProblem(value) === undefined,
      defaultMessage: (args) => `${args?.property ?? 'text'} ${textProblem(args?.value) ?? 'is invalid'} (trimmed; UTF-16 code units)`,
    },
  });

export class RejectActionBody {
  @ApiProperty({ description: 'Why MAOS rejects the action (kept in the audit trail: no personal data).', minLength: 1, maxLength: 500 })
  @IsString()
  @DomainText()
  reason!: string;
}

export class DispatchActionBody {
  @ApiProperty({ enum: ['sent', 'failed'], description: 'sent charges the reserved credits; failed releases them.' })
  @IsIn(['sent', 'failed'])
  result!: 'sent' | 'failed';

  @ApiPropertyOptional({ description: 'Required when result is failed.', minLength: 1, maxLength: 500 })
  @IsOptional()
  @IsString()
  @DomainText()
  reason?: string;
}

export class ActionOutcomeBody {
  @ApiProperty({ enum: ['accepted', 'declined'], description: "The customer's answer to a sent action." })
  @IsIn(['accepted', 'declined'])
  outcome!: 'accepted' | 'declined';
}

export class ActionCommandResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ format: 'uuid' }) actionId!: string;
  @ApiProperty({ enum: ACTION_STATUSES }) status!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Log position `<commit>-<prepare>` of the last event written; null when the command was already in effect.',
  })
  position!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Org stream revision after the command: send it as If-Match next time.' })
  revision!: string | null;
}

import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

const INTEGER = /^(?:0|[1-9]\d{0,15})$/;
const DECIMAL = /^(?:0|[1-9]\d{0,15})(?:\.\d{1,16})?$/;

/**
 * Query text becomes a number only when it is written as one in plain decimal: `0x10`, ` 5`
 * (`%205`), `1e2`, `+3` and the empty string stay text, so the number rules after it refuse them
 * with a 400 naming the parameter (JavaScript's Number() would accept every one of them).
 */
const strictNumber = (pattern: RegExp) =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && pattern.test(value) ? Number(value) : value));

/** A decimal query parameter (validate its range after it, e.g. @IsNumber() @Min(0)). */
export const DecimalQuery = () => strictNumber(DECIMAL);

/** The `limit` of a page: an optional whole number from 1 to `max`, documented with its default. */
export const PageLimit = (max: number, fallback: number) =>
  applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: max, default: fallback }),
    IsOptional(),
    strictNumber(INTEGER),
    IsInt(),
    Min(1),
    Max(max),
  );

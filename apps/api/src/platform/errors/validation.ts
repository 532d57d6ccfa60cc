import { ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { type FieldError, problems } from './problem.js';

const MAX_FIELD_ERRORS = 100;

/**
 * DTOs are the API's contract: unknown fields are refused (not silently dropped), values are
 * converted to the declared types, and failures answer 400 with one entry per broken rule.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => problems.validation(fieldErrors(errors).slice(0, MAX_FIELD_ERRORS)),
  });
}

/** Flattens class-validator's tree into JSON pointers (RFC 6901) into the validated input. */
export function fieldErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const path = error.property ? `${parent}/${escapePointer(error.property)}` : parent;
    const own = Object.values(error.constraints ?? {}).map((detail) => ({ pointer: `#${path}`, detail }));
    return [...own, ...fieldErrors(error.children ?? [], path)];
  });
}

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

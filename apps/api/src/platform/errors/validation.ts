import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { type FieldError, problems } from './problem.js';

const MAX_FIELD_ERRORS = 100;

/**
 * DTOs are the API's contract: unknown fields are refused (not silently dropped), values are
 * converted to the declared types, and failures answer 400 with one entry per broken rule.
 */
export function createValidationPipe(): ValidationPipe {
  return new StorableTextValidationPipe({
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

/**
 * NUL and unpaired UTF-16 surrogates pass class-validator's string rules but cannot be stored in
 * PostgreSQL's jsonb (where every event lives): refuse them with the field's pointer before
 * anything runs, instead of failing at the append.
 */
class StorableTextValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const bad = unstorableText(value, '');
    if (bad)
      throw problems.validation([{ pointer: `#${bad}`, detail: 'text must not contain NUL characters or unpaired UTF-16 surrogates' }]);
    return super.transform(value, metadata);
  }
}

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The JSON pointer of the first string (value or key) that cannot be stored, or null. */
function unstorableText(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || '/' : null;
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}/${escapePointer(key)}`;
    if (UNSTORABLE.test(key)) return at;
    const found = unstorableText(item, at, depth + 1);
    if (found) return found;
  }
  return null;
}

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
 * Before anything recursive touches a request's input (the fingerprint of an Idempotency-Key,
 * class-transformer, class-validator): a bounded shape, and only text PostgreSQL can store —
 * NUL and unpaired UTF-16 surrogates pass class-validator's string rules but cannot be kept in
 * jsonb, where every event lives. Refused with 400 naming the place; walked without recursion,
 * so a body nested 45,000 levels deep costs a loop, not the stack.
 */
export const INPUT_LIMITS = { maxDepth: 32, maxNodes: 10_000 } as const;

export function assertStorableInput(value: unknown): void {
  const refuse = (pointer: string, detail: string) => problems.validation([{ pointer: `#${pointer}`, detail }]);
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  for (let nodes = 0; pending.length > 0; nodes++) {
    const { value: item, path, depth } = pending.pop()!;
    if (nodes > INPUT_LIMITS.maxNodes) throw refuse('', `the input must have at most ${INPUT_LIMITS.maxNodes} values`);
    if (typeof item === 'string') {
      if (UNSTORABLE.test(item)) throw refuse(path || '/', UNSTORABLE_TEXT);
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth >= INPUT_LIMITS.maxDepth) throw refuse(path, `the input must be nested at most ${INPUT_LIMITS.maxDepth} levels deep`);
    for (const [key, child] of Object.entries(item)) {
      const at = `${path}/${escapePointer(key)}`;
      if (UNSTORABLE.test(key)) throw refuse(at, UNSTORABLE_TEXT);
      pending.push({ value: child, path: at, depth: depth + 1 });
    }
  }
}

const UNSTORABLE_TEXT = 'text must not contain NUL characters or unpaired UTF-16 surrogates';
// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class StorableTextValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    assertStorableInput(value);
    return super.transform(value, metadata);
  }
}

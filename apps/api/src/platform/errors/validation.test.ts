import { describe, expect, it } from '@jest/globals';
import { Type } from 'class-transformer';
import { IsInt, IsString, ValidateNested } from 'class-validator';
import { ProblemException } from './problem.js';
import { createValidationPipe } from './validation.js';

class Inner {
  @IsInt() 'a/b~c'!: number;
}
class Outer {
  @IsString() name!: string;
  @ValidateNested() @Type(() => Inner) inner!: Inner;
}

async function problemFor(value: unknown): Promise<ProblemException> {
  const error = await createValidationPipe()
    .transform(value, { type: 'body', metatype: Outer })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!(error instanceof ProblemException)) throw new Error('expected a validation problem');
  return error;
}

describe('validation pipe', () => {
  it('answers 400 with a JSON pointer per broken rule, nested and escaped', async () => {
    const problem = await problemFor({ name: 7, inner: { 'a/b~c': 'x' } });
    expect(problem.problemStatus).toBe(400);
    expect(problem.extensions.errors).toEqual([
      { pointer: '#/name', detail: 'name must be a string' },
      { pointer: '#/inner/a~1b~0c', detail: 'a/b~c must be an integer number' },
    ]);
  });

  it('refuses unknown fields instead of dropping them', async () => {
    const problem = await problemFor({ name: 'x', inner: { 'a/b~c': 1 }, isAdmin: true });
    expect(problem.extensions.errors).toEqual([{ pointer: '#/isAdmin', detail: 'property isAdmin should not exist' }]);
  });

  it('passes a valid body through as the DTO class', async () => {
    const value = await createValidationPipe().transform({ name: 'x', inner: { 'a/b~c': 1 } }, { type: 'body', metatype: Outer });
    expect(value).toBeInstanceOf(Outer);
  });
});

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

  it.each([
    ['a NUL character', { name: 'a\u0000b', inner: { 'a/b~c': 1 } }, '#/name'],
    ['an unpaired high surrogate', { name: 'x\ud800y', inner: { 'a/b~c': 1 } }, '#/name'],
    ['an unpaired low surrogate in a nested key', { name: 'x', inner: { 'a/b~c': 1, ['k\udc00']: 1 } }, '#/inner/k\udc00'],
  ])('refuses text PostgreSQL cannot store (%s) with 400 naming the field', async (_, body, pointer) => {
    const problem = await problemFor(body);
    expect(problem.problemStatus).toBe(400);
    expect(problem.extensions.errors).toEqual([{ pointer, detail: 'text must not contain NUL characters or unpaired UTF-16 surrogates' }]);
  });

  it('keeps well-formed text, emoji (surrogate pairs) included', async () => {
    const value = await createValidationPipe().transform({ name: 'é 😀 日本', inner: { 'a/b~c': 1 } }, { type: 'body', metatype: Outer });
    expect(value).toMatchObject({ name: 'é 😀 日本' });
  });

  it('refuses input nested deeper than the limit without touching the stack (45,000 levels)', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 45_000; i++) deep = { a: deep };
    const problem = await problemFor({ name: 'x', inner: deep });
    expect(problem.problemStatus).toBe(400);
    expect(problem.extensions.errors).toEqual([
      { pointer: expect.stringMatching(/^#\/inner(\/a)+$/), detail: 'the input must be nested at most 32 levels deep' },
    ]);
  });
});

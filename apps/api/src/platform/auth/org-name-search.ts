import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, ValidateBy } from 'class-validator';
import { sql } from '#database';

/** Longest org-name search, in UTF-16 code units. */
export const MAX_ORG_SEARCH_LENGTH = 100;

/** NUL (PostgreSQL text cannot hold it) or a UTF-16 surrogate without its pair (not text at all). */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether PostgreSQL can take the text as a parameter at all. */
export const isStorableText = (text: string): boolean => !UNSTORABLE.test(text);

/** Why a search text is refused, or undefined when it is fine. */
export function orgSearchProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > MAX_ORG_SEARCH_LENGTH) return `must be at most ${MAX_ORG_SEARCH_LENGTH} characters`;
  if (!isStorableText(value)) return 'must not contain NUL or unpaired surrogate characters';
  return undefined;
}

/**
 * The `search` query parameter of the org pickers (GET /api/me/orgs, GET /api/maos/orgs): an
 * optional text matched as a case-insensitive substring of the org name; a hostile text is a 400
 * naming `search`, never a database error.
 */
export const OrgNameSearch = () =>
  applyDecorators(
    ApiPropertyOptional({
      maxLength: MAX_ORG_SEARCH_LENGTH,
      description: 'Only orgs whose name contains this text (case-insensitive; % and _ are plain characters).',
    }),
    IsOptional(),
    IsString(),
    ValidateBy({
      name: 'orgNameSearch',
      validator: {
        validate: (value: unknown) => orgSearchProblem(value) === undefined,
        defaultMessage: (args) => `search ${orgSearchProblem(args?.value) ?? 'is invalid'}`,
      },
    }),
  );

/**
 * `column` contains `search`, case-insensitively (lower() on both sides), as plain text: strpos
 * has no metacharacters, so % _ and \ match themselves. An empty search matches every name.
 */
export function nameContains(column: ReturnType<typeof sql.identifier>, search: string | undefined) {
  return search ? sql.fragment`strpos(lower(${column}), lower(${search})) > 0` : sql.fragment`TRUE`;
}

import { HttpException } from '@nestjs/common';

/** RFC 9457 problem details, the body of every error response of the API. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly correlationId?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

/** One invalid input: a JSON pointer into the request body or query, and what is wrong. */
export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem type URIs are relative references documented in apps/api/README.md. */
export const problemType = (slug: string): string => `/problems/${slug}`;

/**
 * An error the API means to send: status, a stable type, a human title and detail (safe to
 * show), optional extension members and response headers (WWW-Authenticate, Retry-After).
 */
export class ProblemException extends HttpException {
  constructor(
    readonly problemStatus: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail, problemStatus);
  }
}

export const problems = {
  invalidToken: (detail: string) =>
    new ProblemException(401, 'invalid-token', 'Unauthorized', detail, {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }),
  missingToken: () =>
    new ProblemException(
      401,
      'missing-token',
      'Unauthorized',
      'Send an access token: Authorization: Bearer <jwt>.',
      {},
      { 'WWW-Authenticate': 'Bearer' },
    ),
  forbidden: (detail: string) => new ProblemException(403, 'forbidden', 'Forbidden', detail),
  orgRequired: () =>
    new ProblemException(
      400,
      'org-required',
      'Organization required',
      'You belong to several organizations: choose one with the X-Org-Id header.',
    ),
  invalidOrgId: () => new ProblemException(400, 'invalid-org-id', 'Invalid organization id', 'X-Org-Id must be a UUID.'),
  // The same answer for "no such org", "not a member" and "member without read access".
  orgNotFound: () =>
    new ProblemException(404, 'org-not-found', 'Organization not found', 'No organization you can read matches the request.'),
  rateLimited: (retryAfterSeconds: number) =>
    new ProblemException(
      429,
      'rate-limited',
      'Too Many Requests',
      `Rate limit exceeded; retry in ${retryAfterSeconds} s.`,
      {},
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  validation: (errors: readonly FieldError[]) =>
    new ProblemException(400, 'validation-failed', 'Invalid request', `${errors.length} invalid field(s).`, { errors }),
  unavailable: (detail: string, extensions: Record<string, unknown> = {}) =>
    new ProblemException(503, 'unavailable', 'Service Unavailable', detail, extensions),
};

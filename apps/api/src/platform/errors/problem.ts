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
  /** A path parameter that must be a UUID; `subject` names it ("action id", "org id"). */
  invalidPathId: (slug: string, title: string, subject: string) =>
    new ProblemException(400, slug, title, `The ${subject} in the path must be a UUID.`),
  actionNotFound: (actionId: string) =>
    new ProblemException(
      404,
      'action-not-found',
      'Action not found',
      `No action ${actionId} is known. A just proposed action appears once the read model has caught up: retry in a moment.`,
    ),
  /** Same answer whether the opportunity does not exist, did not exist yet, or belongs to another org. */
  opportunityNotFound: () =>
    new ProblemException(
      404,
      'opportunity-not-found',
      'Opportunity not found',
      'No opportunity with this id is visible in the organization.',
    ),
  idempotencyKeyRequired: () =>
    new ProblemException(
      400,
      'idempotency-key-required',
      'Idempotency-Key required',
      'Send an Idempotency-Key header (e.g. a new UUID per command; reuse it only to retry that command).',
    ),
  invalidIdempotencyKey: () =>
    new ProblemException(
      400,
      'invalid-idempotency-key',
      'Invalid Idempotency-Key',
      'Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 . _ : ~ + / = - (a UUID works).',
    ),
  invalidIfMatch: () =>
    new ProblemException(
      400,
      'invalid-if-match',
      'Invalid If-Match',
      'If-Match must be the organization stream revision the client saw, as sent in ETag or the approvals list (e.g. "12").',
    ),
  ifMatchNotSupported: (detail: string) => new ProblemException(400, 'if-match-not-supported', 'If-Match not supported', detail),
  idempotencyKeyReused: () =>
    new ProblemException(
      422,
      'idempotency-key-reused',
      'Idempotency-Key reused',
      'This Idempotency-Key was used for a different request. Use a new key for a new command.',
    ),
  requestInProgress: () =>
    new ProblemException(
      409,
      'request-in-progress',
      'Request in progress',
      'A request with this Idempotency-Key is still running. Retry shortly with the same key.',
      {},
      { 'Retry-After': '1' },
    ),
  invalidMinPosition: () =>
    new ProblemException(
      400,
      'invalid-min-position',
      'Invalid X-Min-Position',
      'X-Min-Position must be a log position "<commit>-<prepare>" as returned in X-Log-Position.',
    ),
  /** Beyond anything this log has committed: waiting cannot help (a made-up position, or one from another store). */
  minPositionAhead: (position: string, head: string | null) =>
    new ProblemException(
      400,
      'min-position-ahead',
      'X-Min-Position ahead of the log',
      head
        ? `X-Min-Position ${position} is ahead of this log's head ${head}: waiting cannot reach it. Send an X-Log-Position this API answered.`
        : `X-Min-Position ${position} is ahead of this log's head: the log is empty. Send an X-Log-Position this API answered.`,
      { minPosition: position, head },
    ),
  readModelBehind: (position: string, retryAfterSeconds: number) =>
    new ProblemException(
      503,
      'read-model-behind',
      'Service Unavailable',
      `The read model has not yet caught up with position ${position}; retry shortly.`,
      { minPosition: position },
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  /** A method the path does not have (any token, even one the parser refused); `allow` lists what it has. */
  methodNotAllowed: (method: string, allow: readonly string[]) =>
    new ProblemException(
      405,
      'method-not-allowed',
      'Method Not Allowed',
      `${method} is not allowed on this path; it accepts ${allow.join(', ')}.`,
      { allow },
      { Allow: allow.join(', ') },
    ),
  unsupportedMediaType: () =>
    new ProblemException(
      415,
      'unsupported-media-type',
      'Unsupported Media Type',
      'Request bodies must be JSON: send Content-Type: application/json.',
      { accept: ['application/json'] },
      { 'Accept-Post': 'application/json', 'Accept-Patch': 'application/json' },
    ),
  bodyNotAccepted: () =>
    new ProblemException(
      400,
      'body-not-accepted',
      'Body not accepted',
      'This command takes no request body: send it without one (no Content-Length, no Transfer-Encoding).',
    ),
  /** `__proto__` (or `constructor.prototype`) as a member name: valid JSON, refused as a prototype-pollution vector. */
  forbiddenJsonKey: () =>
    new ProblemException(
      400,
      'forbidden-json-key',
      'Forbidden JSON member name',
      'The body is valid JSON but uses a member name this API refuses: "__proto__", or "constructor" holding "prototype" (they can rewrite object prototypes). Rename or remove it.',
    ),
  malformedPath: () =>
    new ProblemException(
      400,
      'malformed-path',
      'Malformed path',
      'The request path has invalid percent-encoding (each % must start a UTF-8 byte sequence such as %2F or %C3%A9).',
    ),
  /** Refused by the HTTP parser before any route runs (Node's maxHeaderSize: 16 KiB for the request line and all headers). */
  headersTooLarge: () =>
    new ProblemException(
      431,
      'request-header-fields-too-large',
      'Request Header Fields Too Large',
      'The request line and headers exceed 16 KiB together: send fewer or shorter headers (and a shorter URL).',
    ),
  malformedRequest: () =>
    new ProblemException(400, 'malformed-request', 'Malformed request', 'The request is not valid HTTP/1.1 and could not be parsed.'),
  requestTimeout: () =>
    new ProblemException(408, 'request-timeout', 'Request Timeout', 'The request headers or body did not arrive in time.'),
  /** A refusal stored under an Idempotency-Key, thrown again identically to a retry. */
  replayed: (status: number, stored: StoredProblem, headers: Readonly<Record<string, string>>) =>
    new ProblemException(status, stored.slug, stored.title, stored.detail, stored.extensions, headers),
};

/** What a problem needs to be thrown again identically (kept with an Idempotency-Key's response). */
export interface StoredProblem {
  readonly slug: string;
  readonly title: string;
  readonly detail: string;
  readonly extensions: Readonly<Record<string, unknown>>;
}

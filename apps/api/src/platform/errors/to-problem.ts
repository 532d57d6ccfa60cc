import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { domainProblem } from './domain-errors.js';
import { type Problem, ProblemException, problems, problemType } from './problem.js';

export interface ProblemResponse {
  readonly status: number;
  readonly body: Problem;
  readonly headers: Readonly<Record<string, string>>;
  /** A server fault (not the client's mistake): logged with its stack, never shown. */
  readonly unexpected: boolean;
}

export interface RequestFacts {
  /** The request path, without the query string (which may carry personal data). */
  readonly instance: string;
  readonly correlationId?: string;
}

const UNEXPECTED_DETAIL = 'An unexpected error occurred. Quote the correlation id when reporting it.';

/**
 * Turns anything thrown while serving a request into a problem response. Client errors keep
 * their message (they describe the request); server errors get a generic text, because
 * their message can hold SQL, hostnames or data.
 */
export function toProblem(thrown: unknown, facts: RequestFacts): ProblemResponse {
  const exception = domainProblem(thrown) ?? frameworkProblem(thrown) ?? thrown;
  if (exception instanceof ProblemException) {
    const { problemStatus: status, slug, title, detail, extensions, headers } = exception;
    return { status, headers, unexpected: false, body: { ...base(status, slug, title, detail, facts), ...withoutReserved(extensions) } };
  }
  const status = statusOf(exception);
  if (status >= 500) {
    const detail = status === 500 ? UNEXPECTED_DETAIL : `${reason(status)}. Retry later; quote the correlation id if it persists.`;
    return { status, headers: {}, unexpected: true, body: base(status, slugOf(status), reason(status), detail, facts) };
  }
  const slug = isMalformedBody(exception) ? 'malformed-body' : slugOf(status);
  const title = slug === 'malformed-body' ? 'Malformed request body' : reason(status);
  return { status, headers: {}, unexpected: false, body: base(status, slug, title, clientDetail(exception, status), facts) };
}

function base(status: number, slug: string, title: string, detail: string, facts: RequestFacts): Problem {
  return {
    type: problemType(slug),
    title,
    status,
    detail,
    instance: facts.instance,
    ...(facts.correlationId ? { correlationId: facts.correlationId } : {}),
  };
}

/** HttpException, or an http-errors style error (status/statusCode 4xx) that reached us unmapped. */
function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  const candidate =
    (exception as { statusCode?: unknown; status?: unknown } | null)?.statusCode ?? (exception as { status?: unknown } | null)?.status;
  return typeof candidate === 'number' && candidate >= 400 && candidate < 600 ? candidate : 500;
}

function clientDetail(exception: unknown, status: number): string {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
    if (Array.isArray(message) && message.length) return message.map(String).join('; ');
    return reason(status);
  }
  // http-errors mark messages that are safe to show with `expose`.
  const { expose, message } = exception as { expose?: unknown; message?: unknown };
  return expose === true && typeof message === 'string' ? message : reason(status);
}

/** Framework errors with a catalogue problem of their own (else they are mapped by status). */
function frameworkProblem(thrown: unknown): ProblemException | undefined {
  const chain = [thrown, thrown instanceof Error ? thrown.cause : undefined];
  // Express's router: a path parameter that does not percent-decode (URIError, status 400).
  if (chain.some((e) => e instanceof URIError)) return problems.malformedPath();
  // Fastify's content-type parser for anything the request hook let through (a GET with a form body).
  if (chain.some((e) => (e as { code?: unknown } | undefined)?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'))
    return problems.unsupportedMediaType();
  return undefined;
}

const MALFORMED_BODY_CODES = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/** Express's body-parser throws a SyntaxError; Fastify a coded error (both wrapped by Nest as the cause). */
function isMalformedBody(exception: unknown): boolean {
  const cause = exception instanceof Error ? exception.cause : undefined;
  return [exception, cause].some((e) => isSyntaxError(e) || MALFORMED_BODY_CODES.has(String((e as { code?: unknown } | undefined)?.code)));
}

/** By name: JSON.parse may throw another realm's SyntaxError (a vm context, as under Jest). */
const isSyntaxError = (e: unknown): e is SyntaxError =>
  typeof e === 'object' &&
  e !== null &&
  (e as { name?: unknown }).name === 'SyntaxError' &&
  typeof (e as { message?: unknown }).message === 'string';

const RESERVED = new Set(['type', 'title', 'status', 'detail', 'instance', 'correlationId']);

/** Extension members may add to a problem, never rewrite its standard members. */
function withoutReserved(extensions: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(extensions).filter(([key]) => !RESERVED.has(key)));
}

function reason(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

function slugOf(status: number): string {
  return reason(status)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

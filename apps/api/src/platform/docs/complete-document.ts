import type { INestApplication } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { PUBLIC_KEY, SCOPES_KEY, SERVICE_SCOPES_KEY } from '../auth/decorators.js';
import { documentedProblems, type DocumentedProblem } from './problem-docs.js';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Responses = Operation['responses'];

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;
const WITH_BODY = new Set(['post', 'put', 'patch', 'delete']);
const PROBLEM_JSON = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const RETRY_AFTER = { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } };

/** Request headers whose format every route shares (their descriptions stay with the route). */
const HEADER_SCHEMAS: Readonly<Record<string, object>> = {
  'x-org-id': { type: 'string', format: 'uuid' },
  'x-min-position': { type: 'string', pattern: '^\\d{1,20}-\\d{1,20}$', example: '1234-1234' },
};

interface Access {
  readonly isPublic: boolean;
  /** Service-only routes (@RequireScope): the scopes the token needs. */
  readonly scopes?: readonly string[];
  /** User routes services may also use (@AlsoForServices). */
  readonly serviceScopes?: readonly string[];
}

/**
 * Makes the document say what the access guard and HTTP layer do, from the same metadata they
 * read (one source of truth): per-operation security (none on @Public routes, bearer elsewhere,
 * with the scopes a service token needs named in the description), the guard's 401/403/429,
 * the body rules' 413/415/400, every @ApiProblems reason, and problem+json on every error.
 */
export function completeDocument(app: INestApplication, document: OpenAPIObject): OpenAPIObject {
  const handlers = handlersByOperationId(app);
  const reflector = new Reflector();
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const handler = operation.operationId === undefined ? undefined : handlers.get(operation.operationId);
      // Unmapped (not expected): documented as the guard's default, a user route; openapi-truth.test.ts would catch it.
      const targets = handler ? [handler.method, handler.controller] : [];
      const access: Access = {
        isPublic: reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true,
        ...optional('scopes', reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, targets)),
        ...optional('serviceScopes', reflector.getAllAndOverride<string[] | undefined>(SERVICE_SCOPES_KEY, targets)),
      };
      documentAccess(operation, access);
      documentProblems(operation, method, access, handler ? documentedProblems(handler.controller, handler.method) : []);
      for (const parameter of operation.parameters ?? []) {
        if ('in' in parameter && parameter.in === 'header') parameter.schema ??= HEADER_SCHEMAS[parameter.name.toLowerCase()] ?? { type: 'string' };
      }
    }
  }
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA } };
  return document;
}

function documentAccess(operation: Operation, access: Access): void {
  if (access.isPublic) {
    operation.security = [];
    return;
  }
  operation.security = [{ bearer: [] }];
  const who = access.scopes
    ? `Service tokens only, with scope ${access.scopes.join(' and ')}.`
    : access.serviceScopes
      ? `User tokens (owners and admins of the org), or service tokens with scope ${access.serviceScopes.join(' and ')}.`
      : 'User tokens only (role authenticated).';
  operation.description = operation.description ? `${operation.description}\n\n${who}` : who;
  if (access.scopes) (operation as unknown as Record<string, unknown>)['x-required-scopes'] = [...access.scopes];
}

function documentProblems(operation: Operation, method: string, access: Access, listed: readonly DocumentedProblem[]): void {
  const problems: DocumentedProblem[] = [{ status: 400, description: 'Malformed request: path encoding, parameters or headers.' }];
  if (!access.isPublic) {
    problems.push(
      { status: 401, description: 'Missing, expired or invalid access token.' },
      {
        status: 403,
        description: access.scopes
          ? `Not a service token, or it lacks scope ${access.scopes.join(' ')}.`
          : access.serviceScopes
            ? `A service token without scope ${access.serviceScopes.join(' ')}.`
            : 'A service token: this route is for users.',
      },
      { status: 429, description: 'Rate limit of the token subject reached; see Retry-After.' },
    );
  }
  if (WITH_BODY.has(method)) {
    problems.push(
      { status: 413, description: 'Body larger than the limit.' },
      { status: 415, description: 'A body that is not application/json.' },
    );
    if (!operation.requestBody) problems.push({ status: 400, description: 'A body was sent: this operation takes none.' });
  }
  const responses: Responses = operation.responses;
  for (const { status, description } of [...problems, ...listed]) {
    const existing = responses[status] as { description?: string } | undefined;
    const text = existing?.description;
    if (text?.includes(description)) continue;
    responses[status] = { ...existing, description: text ? `${text} ${description}` : description };
  }
  for (const [status, response] of Object.entries(responses)) {
    if (!response || Number(status) < 400 || '$ref' in response) continue;
    response.content ??= PROBLEM_JSON;
    const retries = status === '429' || (status === '503' && hasHeader(operation, 'x-min-position'));
    if (retries) response.headers = { ...response.headers, 'Retry-After': RETRY_AFTER };
  }
}

const hasHeader = (operation: Operation, name: string): boolean =>
  (operation.parameters ?? []).some((p) => 'in' in p && p.in === 'header' && p.name.toLowerCase() === name);

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

interface Handler {
  readonly controller: Function; // eslint-disable-line @typescript-eslint/no-unsafe-function-type -- Reflector's target type
  readonly method: Function; // eslint-disable-line @typescript-eslint/no-unsafe-function-type -- Reflector's target type
}

/** Every controller method Nest knows, by the operationId @nestjs/swagger gives it (`Controller_method`). */
function handlersByOperationId(app: INestApplication): Map<string, Handler> {
  const handlers = new Map<string, Handler>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const method = prototype[name];
        if (name !== 'constructor' && typeof method === 'function') handlers.set(`${controller.name}_${name}`, { controller, method });
      }
    }
  }
  return handlers;
}

/** RFC 9457 problem details, as every error of the API is answered. */
const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', example: '/problems/validation-failed' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    correlationId: { type: 'string' },
  },
  additionalProperties: true,
};

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import type { TestDatabase } from '#database/testing';
import { allProjections } from '#read-models';
import type { Runtime } from '#runtime';
import { call, type CallOptions, type Reply, type RunningApi } from './harness.js';
import { startFullApi, type FullApi } from '../support/full-api.js';
import { AS_OF } from '../support/revenue-stack.js';
import { serviceToken, userToken } from '../support/tokens.js';

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly description?: string;
}
interface Operation {
  readonly operationId: string;
  readonly security?: Array<Record<string, string[]>>;
  readonly parameters?: Parameter[];
  readonly requestBody?: unknown;
  readonly responses: Record<string, unknown>;
  readonly 'x-required-scopes'?: string[];
}
interface Documented {
  readonly method: string;
  readonly path: string;
  readonly operation: Operation;
}

const PUBLIC = ['GET /health/live', 'GET /health/ready', 'GET /metrics'];

/**
 * The OpenAPI document against the real app (every feature module over a real runtime): each
 * operation is sent the requests that cheaply provoke each status class, and every real answer
 * must be among the operation's documented statuses.
 */
describe('OpenAPI document tells the truth', () => {
  let full: FullApi;
  let db: TestDatabase;
  let runtime: Runtime;
  let app: INestApplication;
  let api: RunningApi;
  let operations: Documented[];
  let orgId: string;
  let actionId: string;
  let owner: string;

  beforeAll(async () => {
    full = await startFullApi();
    ({ db, runtime, api } = full);
    app = api.app;

    // An org its owner has analysed once: an open upsell with a proposed action.
    orgId = randomUUID();
    const ownerId = randomUUID();
    owner = await userToken(ownerId);
    await db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'openapi truth org')`);
    await db.pool.query(sql.unsafe`INSERT INTO user_organizations (user_id, org_id, role) VALUES (${ownerId}, ${orgId}, 'owner')`);
    await db.pool.query(sql.unsafe`INSERT INTO token_wallets (org_id, tier, balance) VALUES (${orgId}, 1, 1)`);
    const days = Array.from({ length: 30 }, (_, i) => [
      orgId,
      new Date(AS_OF.getTime() - (i + 1) * 86_400_000 + 3_600_000).toISOString(),
      2_000,
      0,
    ]);
    await db.pool.query(sql.unsafe`
      INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used)
      SELECT * FROM ${sql.unnest(days, ['uuid', 'timestamptz', 'int8', 'int8'])}`);
    const analysis = await call(api, '/api/revenue/analyze', { method: 'POST', token: owner, orgId });
    expect(analysis.status).toBe(200);
    const position = (await runtime.store.readAll({})).at(-1)!.position;
    for (const { name } of allProjections) expect(await runtime.runner.waitFor(name, position, 20_000)).toBe(true);
    actionId = (await db.pool.oneFirst(sql.unsafe`
      SELECT a.id FROM revenue_actions a JOIN revenue_opportunities o ON o.id = a.opportunity_id
      WHERE o.org_id = ${orgId} AND a.status = 'proposed' LIMIT 1`)) as string;

    const doc = (await call(api, '/api/docs-json')).body as { paths: Record<string, Record<string, Operation>> };
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
    );
  });
  afterAll(async () => full?.close());

  it('documents every route Nest registered, and nothing else', () => {
    const registered: string[] = [];
    for (const module of app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as { prototype: Record<string, unknown> } | null;
        if (!controller) continue;
        const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          if (method === undefined) continue;
          const path = `/${[base, String(Reflect.getMetadata(PATH_METADATA, handler) ?? '')].join('/')}`
            .replace(/\/+/g, '/')
            .replace(/(.)\/$/, '$1')
            .replace(/:(\w+)/g, '{$1}');
          registered.push(`${RequestMethod[method]} ${path}`);
        }
      }
    }
    expect(registered.length).toBeGreaterThan(10);
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(registered.sort());
  });

  it('has no root security requirement; public operations none, every other one bearer', async () => {
    const doc = (await call(api, '/api/docs-json')).body as { security?: unknown };
    expect(doc.security).toBeUndefined();
    for (const { method, path, operation } of operations) {
      const key = `${method} ${path}`;
      if (PUBLIC.includes(key)) expect({ key, security: operation.security }).toEqual({ key, security: [] });
      else expect({ key, security: operation.security }).toEqual({ key, security: [{ bearer: [] }] });
    }
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(PUBLIC));
    // The docs themselves are public too (they are not operations of the document).
    for (const path of ['/api/docs', '/api/docs-json']) expect((await call(api, path)).status).toBe(200);
  });

  it('names the scopes of service operations and the header formats', () => {
    const find = (method: string, path: string) => operations.find((o) => o.method === method && o.path === path)!.operation;
    const approve = find('POST', '/api/maos/actions/{actionId}/approve');
    expect(approve['x-required-scopes']).toEqual(['maos:approve']);
    expect(JSON.stringify(approve)).toContain('scope maos:approve');
    const headers = Object.fromEntries((approve.parameters ?? []).filter((p) => p.in === 'header').map((p) => [p.name, p]));
    expect(headers['Idempotency-Key']?.description).toContain('8 to 128 characters');
    expect(headers['If-Match']?.description).toContain('"12"');
    const opportunities = find('GET', '/api/revenue/opportunities');
    const names = (opportunities.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['X-Org-Id', 'X-Min-Position']));
    expect(Object.keys(approve.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409', '412', '422', '429']));
    const ok = approve.responses['200'] as { headers?: Record<string, unknown> };
    expect(Object.keys(ok.headers ?? {})).toEqual(expect.arrayContaining(['ETag', 'X-Log-Position']));
    const limited = opportunities.responses['429'] as { headers?: Record<string, unknown> };
    expect(Object.keys(limited.headers ?? {})).toContain('Retry-After');
  });

  it("answers every probe with one of the operation's documented statuses", async () => {
    const mismatches: string[] = [];
    const seen = new Set<string>();
    const userOnly = await userToken();
    const serviceWithout = await serviceToken('nothing:here');

    for (const { method, path, operation } of operations) {
      const key = `${method} ${path}`;
      const documented = new Set(Object.keys(operation.responses));
      const params = operation.parameters ?? [];
      const has = (name: string, where = 'header') => params.some((p) => p.in === where && p.name.toLowerCase() === name.toLowerCase());
      const scopes = operation['x-required-scopes'];
      const isPublic = operation.security?.length === 0;
      const proper = scopes ? await serviceToken(scopes.join(' ')) : owner;
      const orgScoped = has('X-Org-Id');
      const url = (id: (param: string) => string, query = '') =>
        path.replace(/\{(\w+)\}/g, (_, param: string) => id(param)) + (query ? `?${query}` : '');
      // Real ids where a command needs them to get past the lookup; unknown ones elsewhere (erasure must not hit the org).
      const known = (param: string) => (param === 'actionId' ? actionId : randomUUID());
      const send = async (what: string, target: string, options: CallOptions & { expect?: number }) => {
        const headers: Record<string, string> = { ...options.headers };
        if (has('Idempotency-Key') && !('idempotency-key' in headers)) headers['idempotency-key'] = randomUUID();
        const reply: Reply = await call(api, target, {
          method,
          ...(orgScoped && !options.orgId && !('x-org-id' in headers) ? { orgId } : {}),
          ...options,
          headers,
        });
        seen.add(`${reply.status}`);
        const problem = reply.status >= 400 && !reply.contentType.includes('application/problem+json') ? ' (not problem+json)' : '';
        if (!documented.has(String(reply.status)) || (options.expect !== undefined && reply.status !== options.expect) || problem) {
          mismatches.push(`${key} ${what}: ${reply.status}${problem}, documented ${[...documented].join(',')}`);
        }
      };

      // Authentication and authorization.
      if (!isPublic) {
        await send('no token', url(known), { expect: 401 });
        await send('invalid token', url(known), { token: 'not.a.jwt', expect: 401 });
        if (scopes) {
          await send('user token on a service route', url(known), { token: userOnly, expect: 403 });
          await send('service token without the scope', url(known), { token: serviceWithout, expect: 403 });
        } else {
          await send('service token without scope', url(known), { token: serviceWithout, expect: 403 });
        }
      }
      const token = isPublic ? undefined : proper;
      const asCaller = token ? { token } : {};

      // Malformed input: 400.
      if (path.includes('{'))
        await send(
          'malformed path id',
          url(() => 'not-a-uuid'),
          { ...asCaller, expect: 400 },
        );
      if (orgScoped) {
        await send('malformed X-Org-Id', url(known), { ...asCaller, headers: { 'x-org-id': 'nope' }, expect: 400 });
        await send('unknown X-Org-Id', url(known), { ...asCaller, orgId: randomUUID(), expect: 404 });
        const stranger = await userToken();
        await send('a user of another org', url(known), { token: stranger, orgId, expect: 404 });
      }
      if (has('limit', 'query')) await send('non-integer limit', url(known, 'limit=abc'), { ...asCaller, expect: 400 });
      if (has('cursor', 'query')) await send('garbage cursor', url(known, 'cursor=%00%00'), { ...asCaller, expect: 400 });
      if (has('X-Min-Position'))
        await send('malformed X-Min-Position', url(known), { ...asCaller, headers: { 'x-min-position': 'x' }, expect: 400 });
      if (has('Idempotency-Key'))
        await send('malformed Idempotency-Key', url(known), { ...asCaller, headers: { 'idempotency-key': 'bad key!' }, expect: 400 });
      if (has('If-Match')) {
        await send('malformed If-Match', url(known), { ...asCaller, headers: { 'if-match': 'nope' }, expect: 400 });
        const body = operation.requestBody === undefined ? {} : { body: bodyFor(path) };
        await send('stale If-Match', url(known), { ...asCaller, ...body, headers: { 'if-match': '"999999"' }, expect: 412 });
      } else if (operation.requestBody !== undefined || method !== 'GET') {
        // Commands that take no If-Match refuse one (400) rather than ignore it.
        if (has('Idempotency-Key')) await send('If-Match where none is taken', url(known), { ...asCaller, headers: { 'if-match': '"1"' } });
      }
      if (method !== 'GET') {
        await send('a text/plain body', url(known), {
          ...asCaller,
          rawBody: 'hello',
          headers: { 'content-type': 'text/plain' },
          expect: 415,
        });
        if (operation.requestBody === undefined)
          await send('a body where none is taken', url(known), { ...asCaller, body: { a: 1 }, expect: 400 });
        else await send('an invalid body', url(known), { ...asCaller, body: { unexpected: true }, expect: 400 });
      }

      // Unknown ids, then the plain call (whatever it answers must be documented too).
      if (path.includes('{') && !path.startsWith('/api/maos/orgs')) {
        await send(
          'unknown id',
          url(() => randomUUID()),
          { ...asCaller, ...(method === 'GET' ? {} : { body: bodyFor(path) }), expect: 404 },
        );
      }
      await send('plain call', url(known), { ...asCaller, ...(operation.requestBody === undefined ? {} : { body: bodyFor(path) }) });
    }
    expect(mismatches).toEqual([]);
    // The probes did reach each class they aim at.
    expect([...seen]).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '412', '415']));
  });
});

/** A valid body for the commands that take one. */
function bodyFor(path: string): unknown {
  if (path.endsWith('/reject')) return { reason: 'not now' };
  if (path.endsWith('/dispatch')) return { result: 'sent' };
  if (path.endsWith('/outcome')) return { outcome: 'accepted' };
  return undefined;
}

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sql } from '#database';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { HTTP_ADAPTER_KINDS } from '#api';
import { serviceToken, userToken } from '../support/tokens.js';
import { type RunningApi, startApi } from './harness.js';
import { hostileBody, hostileContentType, hostileHeaders, hostileMethod, hostileParam } from './hostile.js';
import { sendHostile } from './hostile.js';

const printable = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

/** Bodies from well-formed DTOs with wrong types to plain garbage. */
const body = fc.oneof(
  fc
    .record(
      {
        name: fc.oneof(fc.string(), fc.jsonValue()),
        count: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
        tags: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
        nested: fc.oneof(fc.record({ flag: fc.jsonValue() }), fc.jsonValue()),
        actionId: fc.oneof(fc.uuid(), fc.string()),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  // Prototype pollution attempts, deep nesting, huge numbers.
  fc.constantFrom(
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"x":1}}}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    '{"count":1e400}',
    '{"name":"\\u0000"}',
  ),
  fc.string({ maxLength: 300 }),
  fc.constant(''),
);

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
  path: fc.oneof(
    fc.constantFrom('/api/sample/echo', '/api/sample/approvals', '/api/sample/opportunities', '/api/me/orgs', '/health/ready', '/metrics'),
    fc.webPath().map((p) => `/api${p.startsWith('/') ? p : `/${p}`}`),
  ),
  body,
  contentType: fc.option(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/problem+json',
      'multipart/form-data; boundary=x',
    ),
    { nil: undefined },
  ),
  auth: fc.constantFrom('user', 'owner', 'service', 'garbage', 'none'),
  garbageAuth: printable(80),
  orgId: fc.option(fc.oneof(fc.uuid(), printable(40)), { nil: undefined }),
  correlationId: fc.option(printable(150), { nil: undefined }),
});

describe.each(HTTP_ADAPTER_KINDS)('random requests on %s', (adapter) => {
  let db: TestDatabase;
  let api: RunningApi;
  const owner = randomUUID();
  const orgId = randomUUID();
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'fuzz')`);
    await db.pool.query(sql.unsafe`INSERT INTO user_organizations (user_id, org_id, role) VALUES (${owner}, ${orgId}, 'owner')`);
    api = await startApi(db, { adapter, env: { RATE_LIMIT: '1000000', BODY_LIMIT: '16kb' } });
    Object.assign(tokens, { user: await userToken(), owner: await userToken(owner), service: await serviceToken('maos:approve') });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('never answer 5xx, and every error is a problem document', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.auth === 'garbage') headers.authorization = r.garbageAuth;
        else if (r.auth !== 'none') headers.authorization = `Bearer ${tokens[r.auth]}`;
        if (r.orgId !== undefined) headers['x-org-id'] = r.orgId;
        if (r.correlationId !== undefined) headers['x-correlation-id'] = r.correlationId;
        const withBody = r.method !== 'GET' && r.method !== 'OPTIONS';
        const response = await fetch(`${api.baseUrl}${r.path}`, { method: r.method, headers, ...(withBody ? { body: r.body } : {}) });
        const text = await response.text();
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.headers.get('content-type')).toContain('application/problem+json');
          expect(JSON.parse(text)).toMatchObject({ status: response.status, type: expect.any(String), title: expect.any(String) });
        }
      }),
      { numRuns: 250 },
    );
  });

  it('below the JSON level too (methods, raw paths, headers, content types, deep or unstorable bodies): 4xx problems, and the log does not move', async () => {
    const headCount = () => db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM event_store.events`);
    const hostile = fc.record({
      method: hostileMethod,
      template: fc.constantFrom(
        '/api/sample/things/ID/touch',
        '/api/sample/echo',
        '/api/sample/approvals',
        '/api/sample/opportunities',
        '/api/me/orgs',
        '/api/ID',
        '/health/live',
      ),
      param: hostileParam,
      body: fc.option(hostileBody(16_000), { nil: undefined }),
      contentType: hostileContentType,
      headers: hostileHeaders,
      auth: fc.constantFrom('owner', 'service', 'none'),
    });
    await fc.assert(
      fc.asyncProperty(hostile, async (r) => {
        const headers: Record<string, string> = { ...r.headers };
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        if (r.auth !== 'none') headers.authorization = `Bearer ${tokens[r.auth]}`;
        headers['x-org-id'] = orgId;
        await sendHostile(
          api,
          { method: r.method, path: r.template.replace('ID', r.param), headers, ...(r.body !== undefined ? { body: r.body } : {}) },
          headCount,
        );
      }),
      { numRuns: 150, seed: 1010 },
    );
  });
});

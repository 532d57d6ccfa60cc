import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HTTP_ADAPTER_KINDS } from '#api';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { userToken } from '../support/tokens.js';
import { call, type Reply, type RunningApi, startApi } from './harness.js';

function expectProblem(reply: Reply, status: number, type: string): void {
  expect({ status: reply.status, contentType: reply.contentType.split(';')[0], type: reply.body.type }).toEqual({
    status,
    contentType: 'application/problem+json',
    type,
  });
  expect(reply.body).toMatchObject({
    status,
    title: expect.any(String),
    detail: expect.any(String),
    instance: expect.stringMatching(/^\//),
  });
  expect(reply.body.correlationId).toBe(reply.headers.get('x-correlation-id'));
}

// Both adapters: switching HTTP_ADAPTER must not change a single error answer.
describe.each(HTTP_ADAPTER_KINDS)('problem details on %s', (adapter) => {
  let db: TestDatabase;
  let api: RunningApi;
  let token: string;
  const user = '0b6f8a52-2c1e-4c57-9a43-3f0e5d7c1a99';

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApi(db, { adapter, env: { BODY_LIMIT: '4kb' } });
    token = await userToken(user, { extra: { email: 'jane.doe@example.com' } });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('lists every invalid field with a JSON pointer, and refuses unknown fields', async () => {
    const reply = await call(api, '/api/sample/echo', { token, body: { name: '', count: 5000, nested: { flag: 'yes' }, isAdmin: true } });
    expectProblem(reply, 400, '/problems/validation-failed');
    expect(reply.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '#/isAdmin', detail: 'property isAdmin should not exist' },
        { pointer: '#/name', detail: expect.stringMatching(/name/) },
        { pointer: '#/count', detail: expect.stringMatching(/count/) },
        { pointer: '#/nested/flag', detail: expect.stringMatching(/boolean/) },
      ]),
    );
    const ok = await call(api, '/api/sample/echo', { token, body: { name: 'x', count: 1 } });
    expect({ status: ok.status, body: ok.body }).toEqual({ status: 201, body: { name: 'x', count: 1 } });
  });

  it('answers malformed JSON, an empty JSON body and an oversized body as client errors', async () => {
    expectProblem(await call(api, '/api/sample/echo', { token, rawBody: '{"name": "x",' }), 400, '/problems/malformed-body');
    const empty = await call(api, '/api/sample/echo', { token, rawBody: '' });
    expect(empty.status).toBe(400);
    const big = await call(api, '/api/sample/echo', { token, body: { name: 'x'.repeat(5000), count: 1 } });
    expectProblem(big, 413, '/problems/payload-too-large');
  });

  it('answers unknown routes with a 404 problem, and a known path with another method with 405', async () => {
    expectProblem(await call(api, '/api/nowhere?email=jane@example.com'), 404, '/problems/not-found');
    expectProblem(await call(api, '/api/nowhere', { method: 'DELETE', token }), 404, '/problems/not-found');
    const wrongMethod = await call(api, '/api/me/orgs', { method: 'DELETE', token });
    expectProblem(wrongMethod, 405, '/problems/method-not-allowed');
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    const reply = await call(api, '/api/nowhere?email=jane@example.com');
    expect(reply.body.instance).toBe('/api/nowhere'); // the query string is not echoed
  });

  it('answers a server fault with a bare 500 and logs it under the same correlation id', async () => {
    const reply = await call(api, '/api/sample/boom', { token, headers: { 'x-correlation-id': 'trace-500' } });
    expectProblem(reply, 500, '/problems/internal-server-error');
    expect(reply.text).not.toMatch(/secret_table|hunter2|at |\.ts/);
    const logged = api.logs.find((l) => l.msg === 'request failed' && l.correlationId === 'trace-500');
    expect(logged?.err).toMatchObject({ message: expect.stringContaining('secret_table') });
  });

  it('echoes a usable X-Correlation-Id and replaces anything else with a new UUID', async () => {
    expect((await call(api, '/health/live', { headers: { 'x-correlation-id': 'abc-123:x.y' } })).headers.get('x-correlation-id')).toBe(
      'abc-123:x.y',
    );
    const uuid = /^[0-9a-f-]{36}$/;
    expect((await call(api, '/health/live')).headers.get('x-correlation-id')).toMatch(uuid);
    expect(
      (await call(api, '/health/live', { headers: { 'x-correlation-id': 'bad value<script>' } })).headers.get('x-correlation-id'),
    ).toMatch(uuid);
    expect((await call(api, '/health/live', { headers: { 'x-correlation-id': 'x'.repeat(200) } })).headers.get('x-correlation-id')).toMatch(
      uuid,
    );
  });

  it('logs one line per request with ids only: no token, no email, no query string', async () => {
    await call(api, '/api/me/orgs?email=jane.doe@example.com', { token, headers: { 'x-correlation-id': 'log-check' } });
    const line = api.logs.find((l) => l.correlationId === 'log-check' && l.msg === 'request');
    expect(line).toMatchObject({ method: 'GET', route: '/api/me/orgs', status: 200, principal: `user:${user}` });
    const all = JSON.stringify(api.logs);
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]!);
    expect(all).not.toContain('jane.doe@example.com');
  });

  it('sets the baseline security headers', async () => {
    const reply = await call(api, '/health/live');
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('x-powered-by')).toBeNull();
  });
});

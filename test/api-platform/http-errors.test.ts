import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HTTP_ADAPTER_KINDS } from '#api';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { userToken } from '../support/tokens.js';
import { call, rawCall, type RawReply, type RunningApi, startApi } from './harness.js';

/** Status, problem+json content type and stable type of an answer read off the socket. */
function expectProblem(reply: RawReply, status: number, type: string): void {
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
  expect(reply.body.correlationId).toBe(reply.headers['x-correlation-id']);
}

const thing = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

// Everything here lives in the HTTP adapter (parser, router, body parsers): both must answer alike.
describe.each(HTTP_ADAPTER_KINDS)('HTTP-level errors on %s are problem+json', (adapter) => {
  let db: TestDatabase;
  let api: RunningApi;
  let token: string;
  const auth = () => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApi(db, { adapter, env: { BODY_LIMIT: '16kb' } });
    token = await userToken();
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('answers malformed percent-encoding in a path with 400 malformed-path', async () => {
    for (const path of [`/api/sample/things/%C0%AF/touch`, `/api/sample/things/%E0%A4%A/touch`, `/api/sample/things/%/touch`]) {
      const reply = await rawCall(api, { method: 'POST', path, headers: auth() });
      expect({ path, status: reply.status }).toEqual({ path, status: 400 });
      expectProblem(reply, 400, '/problems/malformed-path');
    }
  });

  it('answers a 1,000+ character path parameter with the route’s 400 naming the parameter, not 414', async () => {
    for (const length of [1_000, 5_000]) {
      const reply = await rawCall(api, { method: 'POST', path: `/api/sample/things/${'a'.repeat(length)}/touch`, headers: auth() });
      expectProblem(reply, 400, '/problems/bad-request');
      expect(reply.body.detail).toMatch(/uuid/i);
    }
  });

  it('answers an unknown method with 405 and Allow on a known path (from the parser or the router), 404 elsewhere: never a 5xx', async () => {
    // FOO and lowercase methods are refused by Node's parser; the others reach the router.
    for (const method of ['FOO', 'get', 'PROPFIND', 'PURGE', 'TRACE']) {
      const reply = await rawCall(api, { method, path: '/api/sample/opportunities' });
      expect({ method, status: reply.status, allow: reply.headers.allow }).toEqual({ method, status: 405, allow: 'GET, HEAD' });
      expectProblem(reply, 405, '/problems/method-not-allowed');
      expect(reply.body.instance).toBe('/api/sample/opportunities');
    }
    expectProblem(await rawCall(api, { method: 'FOO', path: '/api/nowhere' }), 404, '/problems/not-found');
  });

  it('answers a 20 KB header with 431 problem+json written by the server itself', async () => {
    const reply = await rawCall(api, { method: 'GET', path: '/api/sample/opportunities', headers: { 'x-padding': 'x'.repeat(20_000) } });
    expectProblem(reply, 431, '/problems/request-header-fields-too-large');
    expect(reply.body.instance).toBe('/api/sample/opportunities');
  });

  it('answers a request the parser cannot read with 400 malformed-request', async () => {
    const reply = await rawCall(api, { method: 'GET', path: '/api/sample/opportunities', headers: { 'content-length': 'abc' } });
    expectProblem(reply, 400, '/problems/malformed-request');
  });

  it('answers a wrong method on a known path with 405 and Allow', async () => {
    const reply = await rawCall(api, { method: 'DELETE', path: '/api/sample/opportunities', headers: auth() });
    expectProblem(reply, 405, '/problems/method-not-allowed');
    expect(reply.headers.allow).toBe('GET, HEAD');
    expect(reply.body.allow).toEqual(['GET', 'HEAD']);
    const post = await rawCall(api, { method: 'GET', path: `/api/sample/things/${thing}/touch`, headers: auth() });
    expectProblem(post, 405, '/problems/method-not-allowed');
    expect(post.headers.allow).toBe('POST');
    // Unknown paths stay 404 whatever the method.
    expectProblem(await rawCall(api, { method: 'DELETE', path: '/api/nowhere' }), 404, '/problems/not-found');
  });

  it('refuses a non-JSON body with 415 naming application/json, and a body without a content type', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const reply = await rawCall(api, {
        method: 'POST',
        path: '/api/sample/echo',
        headers: { ...auth(), ...(contentType ? { 'content-type': contentType } : {}) },
        body: contentType?.startsWith('application/x-www') ? 'name=x&count=1' : '{"name":"x","count":1}',
      });
      expect({ contentType, status: reply.status }).toEqual({ contentType, status: 415 });
      expectProblem(reply, 415, '/problems/unsupported-media-type');
      expect(reply.body.detail).toContain('application/json');
    }
    const json = await call(api, '/api/sample/echo', {
      token,
      body: { name: 'x', count: 1 },
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(json.status).toBe(201);
  });

  it('refuses a body sent to a command that takes none with 400 body-not-accepted', async () => {
    const reply = await rawCall(api, {
      method: 'POST',
      path: `/api/sample/things/${thing}/touch`,
      headers: { ...auth(), 'content-type': 'application/json' },
      body: '{}',
    });
    expectProblem(reply, 400, '/problems/body-not-accepted');
    const none = await rawCall(api, { method: 'POST', path: `/api/sample/things/${thing}/touch`, headers: auth() });
    expect({ status: none.status, body: none.body }).toEqual({ status: 200, body: { touched: thing } });
  });

  it('calls a __proto__ member what it is: valid JSON with a refused member name', async () => {
    for (const body of ['{"__proto__":{"isAdmin":true}}', '{"name":"x","nested":{"constructor":{"prototype":{"x":1}}}}']) {
      const reply = await call(api, '/api/sample/echo', { token, rawBody: body });
      expect({ body, status: reply.status, type: reply.body.type }).toEqual({ body, status: 400, type: '/problems/forbidden-json-key' });
      expect(reply.body.detail).toMatch(/valid JSON/);
    }
    // Walked without recursion: a body nested 7,000 deep (within the 16 kB limit) is a 400, not a stack overflow.
    const deep = await call(api, '/api/sample/echo', { token, rawBody: `${'{"a":'.repeat(2_500)}1${'}'.repeat(2_500)}` });
    expect({ status: deep.status, type: deep.body.type }).toEqual({ status: 400, type: '/problems/validation-failed' });
    const deepArrays = await call(api, '/api/sample/echo', { token, rawBody: `${'['.repeat(7_000)}${']'.repeat(7_000)}` });
    expect(deepArrays.status).toBe(400);
    // A member merely named "constructor" is fine at the parser (the DTO then refuses it as unknown).
    expect((await call(api, '/api/sample/echo', { token, rawBody: '{"constructor":1}' })).body.type).toBe('/problems/validation-failed');
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { call } from '../api-platform/harness.js';
import { hostileBody, hostileContentType, hostileHeaders, hostileMethod, hostileParam, sendHostile } from '../api-platform/hostile.js';
import { serviceToken } from '../support/tokens.js';
import { type MaosApi, orgWithProposedAction, startMaosApi } from './support/maos-harness.js';

const printable = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

/** Whatever MAOS sends — valid, half-valid or garbage — the answer is never a server error. */
describe('MAOS routes under random input', () => {
  let api: MaosApi;
  let token: string;
  let known: { orgId: string; actionId: string };

  beforeAll(async () => {
    api = await startMaosApi({ erasureWaitMs: 5_000 });
    token = await serviceToken('maos:read maos:approve maos:dispatch maos:erase');
    known = await orgWithProposedAction(api);
  });
  afterAll(async () => api?.close());

  it('never answers 5xx', async () => {
    const id = fc.oneof(
      fc.constantFrom(known.actionId, known.actionId.toUpperCase(), randomUUID()),
      fc.uuid(),
      printable(60).map(encodeURIComponent),
    );
    const body = fc.oneof(
      fc
        .record(
          {
            reason: fc.oneof(fc.string({ maxLength: 600 }), fc.jsonValue()),
            result: fc.oneof(fc.constantFrom('sent', 'failed'), fc.jsonValue()),
            outcome: fc.oneof(fc.constantFrom('accepted', 'declined'), fc.jsonValue()),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom('{"__proto__":{"x":1}}', '{"reason":"\\u0000"}', '{"result":1e400}', ''),
      printable(100),
    );
    const request = fc.record({
      route: fc.constantFrom('approve', 'reject', 'dispatch', 'outcome', 'approvals', 'erase'),
      id,
      body,
      key: fc.option(fc.oneof(fc.uuid(), printable(140), fc.constantFrom('fixed-key-000001', 'fixed-key-000002')), { nil: undefined }),
      ifMatch: fc.option(
        fc.oneof(
          fc.bigInt({ min: -5n, max: 2n ** 64n }).map((n) => `"${n}"`),
          printable(30),
        ),
        { nil: undefined },
      ),
      query: fc.oneof(
        fc.constant(''),
        fc
          .record({ limit: fc.oneof(fc.integer().map(String), printable(10)), cursor: printable(80) }, { requiredKeys: [] })
          .map((q) => `?${new URLSearchParams(q)}`),
        printable(40).map((q) => `?cursor=${q}`),
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (r.key !== undefined) headers['idempotency-key'] = r.key;
        if (r.ifMatch !== undefined) headers['if-match'] = r.ifMatch;
        const reply =
          r.route === 'approvals'
            ? await call(api, `/api/maos/approvals${r.query}`, { token, headers })
            : r.route === 'erase'
              ? await call(api, `/api/maos/orgs/${r.id === known.actionId ? randomUUID() : r.id}`, { method: 'DELETE', token, headers })
              : await call(api, `/api/maos/actions/${r.id}/${r.route}`, { method: 'POST', token, rawBody: r.body, headers });
        expect({ status: reply.status < 500, r }).toEqual({ status: true, r });
        if (reply.status >= 400) expect(reply.contentType).toContain('application/problem+json');
      }),
      { numRuns: 250 },
    );
  });

  it('below the JSON level too (methods, raw paths, headers, content types, deep or unstorable bodies): 4xx problems, and a refusal writes no event', async () => {
    const hostile = fc.record({
      method: hostileMethod,
      template: fc.constantFrom(
        '/api/maos/actions/ID/approve',
        '/api/maos/actions/ID/reject',
        '/api/maos/actions/ID/dispatch',
        '/api/maos/actions/ID/outcome',
        '/api/maos/approvals',
        '/api/maos/orgs/ID',
      ),
      param: fc.oneof(hostileParam, fc.constant(known.actionId)),
      body: fc.option(hostileBody(90_000), { nil: undefined }),
      contentType: hostileContentType,
      headers: hostileHeaders,
    });
    await fc.assert(
      fc.asyncProperty(hostile, async (r) => {
        const headers: Record<string, string> = { ...r.headers, authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() };
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        // Erasing the known org would end every later command: erase only made-up orgs.
        const param = r.template.startsWith('/api/maos/orgs/') && r.param === known.actionId ? randomUUID() : r.param;
        const path = r.template.replace('ID', param);
        await sendHostile(api, { method: r.method, path, headers, ...(r.body !== undefined ? { body: r.body } : {}) }, () =>
          api.store.headPosition(),
        );
      }),
      { numRuns: 150, seed: 1012 },
    );
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { call } from '../api-platform/harness.js';
import { hostileBody, hostileContentType, hostileHeaders, hostileMethod, hostileParam, sendHostile } from '../api-platform/hostile.js';
import { serviceToken, userToken } from '../support/tokens.js';
import { addMember, type RevenueApi, seedGrowingOrg, startRevenueApi } from './support/revenue-api.js';

const printable = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });
const numberish = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', '-0', '1e400', 'NaN', 'Infinity', '0x10', '99999999999999999999'),
  printable(12),
);
const cursor = fc.oneof(
  printable(40),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
  fc.tuple(fc.double(), fc.uuid()).map((t) => Buffer.from(JSON.stringify(t)).toString('base64url')),
);

/** Query strings built from the endpoints' own parameters with hostile values, plus unknown ones. */
const query = fc
  .dictionary(
    fc.constantFrom('type', 'status', 'minConfidence', 'limit', 'cursor', 'fromRevision', 'asOf', 'revision', 'x'),
    fc.oneof(numberish, cursor, fc.constantFrom('upsell', 'open', '2026-11-01T00:00:00Z', '2026-13-45T99:00:00Z', '0001-01-01')),
    { maxKeys: 4 },
  )
  .map((q) => new URLSearchParams(q).toString());

const request = fc.record({
  path: fc.constantFrom(
    '/api/revenue/opportunities',
    '/api/revenue/analyze',
    '/api/revenue/expansion',
    '/api/revenue/actions/ID',
    '/api/revenue/audit/events',
    '/api/revenue/audit/opportunities/ID/events',
    '/api/revenue/audit/opportunities/ID/state',
  ),
  method: fc.constantFrom('GET', 'POST'),
  id: fc.oneof(fc.uuid(), printable(40).map(encodeURIComponent), fc.constant('%00')),
  query,
  token: fc.constantFrom('owner', 'outsider', 'auditor', 'none'),
  orgId: fc.option(fc.oneof(fc.constant('own'), fc.uuid(), printable(40)), { nil: undefined }),
  minPosition: fc.option(
    fc.oneof(
      fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 70n }), fc.bigInt({ min: 0n, max: 2n ** 70n })).map(([a, b]) => `${a}-${b}`),
      printable(30),
    ),
    { nil: undefined },
  ),
  ifMatch: fc.option(printable(30), { nil: undefined }),
  idempotencyKey: fc.option(printable(140), { nil: undefined }),
  body: fc.option(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    { nil: undefined },
  ),
});

describe('random requests to the revenue endpoints', () => {
  let api: RevenueApi;
  let orgId: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    api = await startRevenueApi({ readYourWritesTimeoutMs: 50 });
    orgId = await seedGrowingOrg(api.db);
    const owner = randomUUID();
    await addMember(api.db, owner, orgId, 'owner');
    Object.assign(tokens, { owner: await userToken(owner), outsider: await userToken(), auditor: await serviceToken('audit:read') });
  });
  afterAll(async () => api?.close());

  it('never answer 5xx except the documented 503 of read-your-writes, and always problem+json on errors', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.minPosition !== undefined) headers['x-min-position'] = r.minPosition;
        if (r.ifMatch !== undefined) headers['if-match'] = r.ifMatch;
        if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
        const path = `${r.path.replace('ID', r.id)}${r.query ? `?${r.query}` : ''}`;
        const reply = await call(api, path, {
          method: r.method,
          headers,
          ...(r.body !== undefined && r.method === 'POST' ? { rawBody: r.body } : {}),
          ...(r.token !== 'none' ? { token: tokens[r.token] } : {}),
          ...(r.orgId !== undefined ? { orgId: r.orgId === 'own' ? orgId : r.orgId } : {}),
        });
        const readModelBehind = reply.status === 503 && reply.body.type === '/problems/read-model-behind';
        expect({ path, status: reply.status < 500 || readModelBehind }).toEqual({ path, status: true });
        if (reply.status >= 400) expect(reply.contentType).toContain('application/problem+json');
      }),
      { numRuns: 300 },
    );
  });

  it('the same holds for the org owner with a valid org and parameters close to valid', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const path = `${r.path.replace('ID', r.id)}${r.query ? `?${r.query}` : ''}`;
        const headers: Record<string, string> = r.ifMatch !== undefined ? { 'if-match': r.ifMatch } : {};
        if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
        const reply = await call(api, path, {
          method: r.method,
          token: tokens[r.token === 'auditor' ? 'auditor' : 'owner'],
          orgId,
          headers,
        });
        expect({ path, ok: reply.status < 500 }).toEqual({ path, ok: true });
      }),
      { numRuns: 300 },
    );
  });

  it('below the JSON level too (methods, raw paths, headers, content types, deep or unstorable bodies): 4xx problems, and a refusal writes no event', async () => {
    const hostile = fc.record({
      method: hostileMethod,
      template: fc.constantFrom(
        '/api/revenue/opportunities',
        '/api/revenue/analyze',
        '/api/revenue/expansion',
        '/api/revenue/actions/ID',
        '/api/revenue/audit/opportunities/ID/events',
        '/api/revenue/audit/opportunities/ID/state',
      ),
      param: hostileParam,
      body: fc.option(hostileBody(90_000), { nil: undefined }),
      contentType: hostileContentType,
      headers: hostileHeaders,
      token: fc.constantFrom('owner', 'auditor'),
    });
    await fc.assert(
      fc.asyncProperty(hostile, async (r) => {
        const headers: Record<string, string> = { ...r.headers, authorization: `Bearer ${tokens[r.token]}`, 'x-org-id': orgId };
        headers['idempotency-key'] = randomUUID();
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        const path = r.template.replace('ID', r.param);
        await sendHostile(api, { method: r.method, path, headers, ...(r.body !== undefined ? { body: r.body } : {}) }, () =>
          api.store.headPosition(),
        );
      }),
      { numRuns: 150, seed: 1011 },
    );
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { call } from '../api-platform/harness.js';
import { mintToken, serviceToken, userToken } from '../support/tokens.js';
import { type MaosApi, startMaosApi } from './support/maos-harness.js';

interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly scope: string;
  readonly body?: unknown;
}

/** Every MAOS route: who gets in (a service token with the route's scope) and who does not. */
describe('MAOS access matrix', () => {
  let api: MaosApi;
  const orgId = randomUUID();
  const owner = randomUUID();
  const admin = randomUUID();
  const member = randomUUID();
  const actionId = randomUUID();
  const routes: Route[] = [
    { method: 'GET', path: '/api/maos/approvals', scope: 'maos:read' },
    { method: 'POST', path: `/api/maos/actions/${actionId}/approve`, scope: 'maos:approve' },
    { method: 'POST', path: `/api/maos/actions/${actionId}/reject`, scope: 'maos:approve', body: { reason: 'no' } },
    { method: 'POST', path: `/api/maos/actions/${actionId}/dispatch`, scope: 'maos:dispatch', body: { result: 'sent' } },
    { method: 'POST', path: `/api/maos/actions/${actionId}/outcome`, scope: 'maos:dispatch', body: { outcome: 'accepted' } },
    { method: 'DELETE', path: `/api/maos/orgs/${randomUUID()}`, scope: 'maos:erase' },
  ];
  const ALL_SCOPES = ['maos:read', 'maos:approve', 'maos:dispatch', 'maos:erase'];

  beforeAll(async () => {
    api = await startMaosApi();
    await api.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'matrix')`);
    await api.db.pool.query(sql.unsafe`
      INSERT INTO user_organizations (user_id, org_id, role) VALUES (${owner}, ${orgId}, 'owner'), (${admin}, ${orgId}, 'admin'), (${member}, ${orgId}, 'member')`);
  });
  afterAll(async () => api?.close());

  const send = (route: Route, token: string | undefined) =>
    call(api, route.path, {
      method: route.method,
      ...(token ? { token } : {}),
      orgId,
      ...(route.body ? { body: route.body } : {}),
      headers: { 'idempotency-key': randomUUID() },
    });

  it('refuses missing, expired, forged and wrong-audience tokens with 401 on every route', async () => {
    const bad = {
      none: undefined,
      expired: await serviceToken(ALL_SCOPES.join(' '), { expiresIn: -30 }),
      forged: await serviceToken(ALL_SCOPES.join(' '), { secret: 'another-secret-that-is-long-enough-000' }),
      wrongAudience: await serviceToken(ALL_SCOPES.join(' '), { audience: 'anon' }),
      anonRole: await mintToken({ sub: 'maos', role: 'anon', scope: ALL_SCOPES.join(' ') }),
    };
    for (const route of routes) {
      for (const [name, token] of Object.entries(bad)) {
        const reply = await send(route, token);
        expect({ route: route.path, name, status: reply.status, json: reply.contentType.startsWith('application/problem+json') }).toEqual({
          route: route.path,
          name,
          status: 401,
          json: true,
        });
      }
    }
  });

  it('refuses user tokens of any role (even with a scope claim) with 403', async () => {
    const users = [owner, admin, member, randomUUID()];
    for (const route of routes) {
      for (const user of users) {
        const reply = await send(route, await userToken(user, { extra: { scope: ALL_SCOPES.join(' ') } }));
        expect({ route: route.path, status: reply.status }).toEqual({ route: route.path, status: 403 });
      }
    }
  });

  it('refuses service tokens without the route scope with 403, and admits those with it', async () => {
    for (const route of routes) {
      const others = ALL_SCOPES.filter((s) => s !== route.scope).join(' ');
      const without = await send(route, await serviceToken(others));
      expect({ route: route.path, status: without.status, detail: without.body.detail }).toEqual({
        route: route.path,
        status: 403,
        detail: `The service token lacks scope ${route.scope}.`,
      });
      const admitted = await send(route, await serviceToken(route.scope));
      // Admitted: the route itself answers (an unknown action is 404, an empty erasure 200).
      expect({ route: route.path, status: admitted.status }).toEqual({ route: route.path, status: route.method === 'POST' ? 404 : 200 });
    }
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await call(api, '/api/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/maos/approvals'] ?? {})).toEqual(['get']);
    for (const verb of ['approve', 'reject', 'dispatch', 'outcome']) {
      const op = doc.paths[`/api/maos/actions/{actionId}/${verb}`]?.post as {
        parameters: Array<{ name: string; in: string; required?: boolean }>;
      };
      expect(op.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true })]),
      );
    }
    expect(Object.keys(doc.paths['/api/maos/orgs/{orgId}'] ?? {})).toEqual(['delete']);
  });
});

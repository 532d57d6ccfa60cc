import { describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '../../libs/database/src/testing.js';
import { userToken } from '../support/tokens.js';
import { call, startApi } from './harness.js';

describe('diag', () => {
  it.each(['fastify', 'express'] as const)('handles %s', async (adapter) => {
    console.log('before', process.getActiveResourcesInfo());
    const db = await createTestDatabase();
    const api = await startApi(db, { adapter });
    const token = await userToken();
    await call(api, '/api/me/orgs', { token });
    await call(api, '/api/sample/echo', { token, body: { name: 'x', count: 1 } });
    await api.close();
    console.log('after close', process.getActiveResourcesInfo());
    await db.drop();
    await new Promise((r) => setTimeout(r, 100));
    const handles = (process as unknown as { _getActiveHandles(): any[] })._getActiveHandles();
    console.log('after drop', handles.map((h) => h.constructor?.name + ' ' + (h._idleTimeout ?? '') + ' ref=' + (h.hasRef?.() ?? '') + ' ' + String(h._onTimeout ?? '').slice(0, 300)));
    expect(1).toBe(1);
  });
});

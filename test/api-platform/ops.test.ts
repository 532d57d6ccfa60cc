import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { counter, type Registry } from '#observability';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { ReadinessChecks } from '#api';
import { ShutdownCoordinator } from '#api';
import { METRICS_REGISTRY } from '#api';
import { userToken } from '../support/tokens.js';
import { call, type RunningApi, startApi } from './harness.js';

describe('ops endpoints', () => {
  let db: TestDatabase;
  let api: RunningApi;
  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApi(db);
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('reports liveness without a token', async () => {
    const reply = await call(api, '/health/live');
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('reports readiness from the database ping and every registered check, naming failures but not their reasons', async () => {
    const ready = await call(api, '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });

    let lag = 3;
    const checks = api.app.get(ReadinessChecks);
    checks.register('projection-lag', () => {
      if (lag > 1000) throw new Error('lag 5000 events behind on host db.internal');
      return { lag };
    });
    expect((await call(api, '/health/ready')).body).toMatchObject({ details: { 'projection-lag': { status: 'up', lag: 3 } } });
    lag = 5000;
    const down = await call(api, '/health/ready');
    expect(down.status).toBe(503);
    expect(down.contentType).toContain('application/problem+json');
    expect(down.body).toMatchObject({ type: '/problems/unavailable', checks: { database: 'up', 'projection-lag': 'down' } });
    expect(down.text).not.toContain('db.internal');
    expect(() => checks.register('projection-lag', () => undefined)).toThrow(/already registered/);
  });

  it('serves Prometheus metrics: defaults, request durations by route pattern, and series other modules register', async () => {
    counter(api.app.get<Registry>(METRICS_REGISTRY), { name: 'events_appended_total', help: 'events appended' }).inc(2);
    await call(api, '/api/me/orgs', { token: await userToken() });
    await call(api, '/api/does-not-exist/123');
    const reply = await call(api, '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('text/plain');
    expect(reply.text).toContain('process_resident_memory_bytes');
    expect(reply.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/me\/orgs",status_code="200"\} [1-9]/);
    expect(reply.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} [1-9]/);
    expect(reply.text).not.toContain('does-not-exist'); // raw paths never become label values
    expect(reply.text).toContain('events_appended_total 2');
  });

  it('serves the OpenAPI document and the Swagger UI', async () => {
    const doc = await call(api, '/api/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths as object)).toEqual(expect.arrayContaining(['/api/me/orgs', '/health/ready', '/metrics']));
    const page = await call(api, '/api/docs');
    expect(page.contentType).toContain('text/html');
    expect(page.text).toContain('swagger-ui-bundle.js');
    const bundle = await call(api, '/api/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });
});

describe('graceful shutdown', () => {
  it('turns readiness down, waits for registered drains, then releases resources, in that order', async () => {
    const db = await createTestDatabase();
    const steps: string[] = [];
    let baseUrl = '';
    const api = await startApi(db, {
      onClose: async () => {
        // Runs once the HTTP server has stopped: nothing is served any more.
        const refused = await fetch(`${baseUrl}/health/live`).then(
          () => false,
          () => true,
        );
        steps.push(`resources released (server closed: ${refused})`);
      },
    });
    baseUrl = api.baseUrl;
    let finishBatch!: () => void;
    const batch = new Promise<void>((resolve) => (finishBatch = resolve));
    api.app.get(ShutdownCoordinator).register('projection-worker', async (signal) => {
      steps.push(`drain started (${signal ?? 'close'})`);
      // Still serving during the drain: readiness must already say no.
      const ready = await call(api, '/health/ready');
      steps.push(`ready ${ready.status} ${String(ready.body.detail)}`);
      setImmediate(finishBatch); // the batch completes later, on its own
      await batch;
      steps.push('batch finished');
    });
    await api.close();
    steps.push('closed');
    expect(steps).toEqual([
      'drain started (close)',
      'ready 503 The service is shutting down.',
      'batch finished',
      'resources released (server closed: true)',
      'closed',
    ]);
    await db.drop();
  });

  it('stops waiting for a drain that never finishes, after SHUTDOWN_TIMEOUT_MS, and logs it', async () => {
    const db = await createTestDatabase();
    const api = await startApi(db, { env: { SHUTDOWN_TIMEOUT_MS: '50' } });
    api.app.get(ShutdownCoordinator).register('stuck', () => new Promise<void>(() => undefined));
    await api.close();
    expect(api.logs).toEqual(expect.arrayContaining([expect.objectContaining({ msg: 'shutdown drain timed out', drain: 'stuck' })]));
    await db.drop();
  });
});

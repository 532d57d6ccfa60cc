import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createApp, HTTP_ADAPTER_KINDS, loadConfig } from '#api';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { createLogger } from '#observability';

/** The page's files as the API serves them: a stand-in build folder (the real build is covered by the browser tests). */
describe.each(HTTP_ADAPTER_KINDS)('the dashboard site (%s)', (adapter) => {
  let db: TestDatabase;
  let built: INestApplication;
  let missing: INestApplication;
  let base: string;
  let missingBase: string;
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-build-'));

  const start = async (dashboardDir: string) => {
    const app = await createApp({
      config: loadConfig({ NODE_ENV: 'test', HTTP_ADAPTER: adapter }),
      pool: db.pool,
      logger: createLogger({ level: 'silent' }),
      dashboardDir,
    });
    await app.listen(0, '127.0.0.1');
    return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
  };

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>x</title><script type="module" src="/dashboard/assets/app-1a2b.js"></script>',
    );
    writeFileSync(join(dir, 'assets', 'app-1a2b.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', 'app-1a2b.css'), 'body{}');
    db = await createTestDatabase();
    ({ app: built, url: base } = await start(dir));
    ({ app: missing, url: missingBase } = await start(join(dir, 'no-such-build')));
  });
  afterAll(async () => {
    await built?.close();
    await missing?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page at /dashboard/ with a strict CSP, revalidated; / and /dashboard redirect there', async () => {
    const page = await fetch(`${base}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.text()).toContain('/dashboard/assets/app-1a2b.js');
    for (const from of ['/', '/dashboard']) {
      const redirect = await fetch(`${base}${from}`, { redirect: 'manual' });
      expect([from, redirect.status, redirect.headers.get('location')]).toEqual([from, 302, '/dashboard/']);
    }
  });

  it('serves the hashed assets with their types, cached for good; nothing outside the build', async () => {
    const js = await fetch(`${base}/dashboard/assets/app-1a2b.js`);
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
    ]);
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/dashboard/assets/app-1a2b.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const path of [
      '/dashboard/assets/other.js',
      '/dashboard/../package.json',
      '/dashboard/%2e%2e/package.json',
      '/dashboard/index.html',
    ]) {
      const reply = await fetch(`${base}${path}`);
      expect([path, reply.status]).toEqual([path, 404]);
      expect(reply.headers.get('content-type')).toContain('application/problem+json');
    }
    // The API docs' assets go out the same way (on Express a Buffer body used to be sent as JSON).
    const swaggerCss = await fetch(`${base}/api/docs/swagger-ui.css`);
    expect((await swaggerCss.text()).startsWith('{"type":"Buffer"')).toBe(false);
    const post = await fetch(`${base}/dashboard/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('without a build, /dashboard/ is a 503 problem that says how to build it; the API still serves', async () => {
    const reply = await fetch(`${missingBase}/dashboard/`);
    expect(reply.status).toBe(503);
    expect(reply.headers.get('content-type')).toContain('application/problem+json');
    expect(((await reply.json()) as { detail: string }).detail).toContain('npm run build');
    expect((await fetch(`${missingBase}/health/live`)).status).toBe(200);
  });
});

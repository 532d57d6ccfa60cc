import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type INestApplication, StreamableFile } from '@nestjs/common';
import type { Logger } from '#observability';
import { PROBLEM_CONTENT_TYPE, problemType } from '../platform/errors/problem.js';

export const DASHBOARD_PATH = '/dashboard/';

/**
 * The dashboard's own policy, stricter than the API's default (which allows inline styles and
 * https: sources for Swagger UI): only this origin's scripts, styles and API, no inline code,
 * no framing. React's `style` prop and Chart.js set element.style through the CSSOM, which
 * style-src does not govern.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** dist/dashboard of the repository this module runs from (source under apps/, or built under dist/). */
export function defaultDashboardDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'dashboard');
}

/**
 * Serves the built dashboard (`npm run build:dashboard`, part of `npm run build`) at
 * /dashboard/: every file is read once at start and registered as its own route, so nothing
 * outside the build directory can be asked for and the 404/405 rules stay the route table's.
 * `/` and `/dashboard` redirect to it. Without a build, /dashboard/ answers 503 saying how to
 * build it (the API itself works without the page).
 */
export function setupDashboard(app: INestApplication, options: { readonly dir?: string; readonly logger?: Logger } = {}): void {
  const dir = options.dir ?? defaultDashboardDir();
  const adapter = app.getHttpAdapter();
  const redirect = (res: unknown) => {
    adapter.setHeader(res, 'Location', DASHBOARD_PATH);
    adapter.setHeader(res, 'Cache-Control', 'no-cache');
    adapter.reply(res, '', 302);
  };
  // Express routes ignore a trailing slash, so /dashboard may reach the page's handler: the
  // handler redirects it (relative links need the slash); Fastify routes it here.
  const withoutSlash = (req: unknown) => String(adapter.getRequestUrl?.(req) ?? '').split('?')[0] === '/dashboard';
  const route = (path: string, handler: (res: unknown) => void) =>
    adapter.get(path, (req: unknown, res: unknown) => (withoutSlash(req) ? redirect(res) : handler(res)));

  if (!existsSync(join(dir, 'index.html'))) {
    options.logger?.warn({ dir }, 'dashboard not built: /dashboard/ answers 503 (run npm run build)');
    route(DASHBOARD_PATH, (res) => {
      adapter.setHeader(res, 'Content-Type', PROBLEM_CONTENT_TYPE);
      adapter.setHeader(res, 'Retry-After', '60');
      adapter.reply(res, NOT_BUILT, 503);
    });
  } else {
    for (const file of filesUnder(dir)) serveFile(file);
  }
  adapter.get('/', (_req: unknown, res: unknown) => redirect(res));
  adapter.get('/dashboard', (_req: unknown, res: unknown) => redirect(res));

  function serveFile(file: string): void {
    const path = relative(dir, file).split(sep).join('/');
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    // Text as a string, anything else as a stream: Express would send a Buffer as JSON.
    const text = /^(text\/|application\/json|image\/svg)/.test(type);
    const content = text ? readFileSync(file, 'utf8') : readFileSync(file);
    const body = () => (typeof content === 'string' ? content : new StreamableFile(content));
    // Vite's hashed assets never change under their name; the page itself is revalidated.
    const cache = path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    route(path === 'index.html' ? DASHBOARD_PATH : `${DASHBOARD_PATH}${path}`, (res) => {
      adapter.setHeader(res, 'Content-Type', type);
      adapter.setHeader(res, 'Cache-Control', cache);
      adapter.setHeader(res, 'Content-Security-Policy', DASHBOARD_CSP);
      adapter.setHeader(res, 'Referrer-Policy', 'no-referrer');
      adapter.reply(res, body(), 200);
    });
  }
}

const NOT_BUILT = JSON.stringify({
  type: problemType('unavailable'),
  title: 'Service Unavailable',
  status: 503,
  detail: 'The dashboard is not built on this server: run npm run build (or npm run build:dashboard) and restart.',
  instance: DASHBOARD_PATH,
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { completeDocument } from '../platform/docs/complete-document.js';

const DOCS_PATH = '/api/docs';

/**
 * OpenAPI JSON at /api/docs-json (by @nestjs/swagger) and Swagger UI at /api/docs. The UI is
 * served here from swagger-ui-dist rather than by SwaggerModule, whose Fastify path needs
 * @fastify/static (not a dependency); same pages on both adapters, scripts external (CSP).
 */
export function setupApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Revenue Engine API')
    .setDescription(
      'Query side, MAOS command API and ops endpoints. Errors are application/problem+json (RFC 9457). ' +
        'Security is per operation: /health/* and /metrics need no token; every other operation names the token it needs. ' +
        'Any request may also get 404/405 (unknown path or method), 408, 414 or 431 from the HTTP layer.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  // No root security requirement: completeDocument sets each operation's from @Public/@RequireScope.
  SwaggerModule.setup(DOCS_PATH, app, () => completeDocument(app, SwaggerModule.createDocument(app, config)), { ui: false, raw: ['json'] });

  const assets = swaggerUiAssets();
  const adapter = app.getHttpAdapter();
  const serve = (path: string, type: string, body: () => string) =>
    adapter.get(path, (_req: unknown, res: unknown) => {
      adapter.setHeader(res, 'Content-Type', type);
      adapter.setHeader(res, 'Cache-Control', 'public, max-age=3600');
      adapter.reply(res, body(), 200);
    });
  serve(DOCS_PATH, 'text/html; charset=utf-8', () => PAGE);
  serve(`${DOCS_PATH}/swagger-initializer.js`, 'application/javascript', () => INITIALIZER);
  serve(`${DOCS_PATH}/swagger-ui.css`, 'text/css', () => assets('swagger-ui.css'));
  serve(`${DOCS_PATH}/swagger-ui-bundle.js`, 'application/javascript', () => assets('swagger-ui-bundle.js'));
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Revenue Engine API</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/swagger-initializer.js"></script></body></html>`;

const INITIALIZER = `window.ui = SwaggerUIBundle({ url: '${DOCS_PATH}-json', dom_id: '#swagger-ui', persistAuthorization: false });`;

/** swagger-ui-dist as @nestjs/swagger resolves it (it is that package's dependency). */
function swaggerUiAssets(): (file: string) => string {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('swagger-ui-dist/package.json', { paths: [dirname(require.resolve('@nestjs/swagger'))] }));
  // Text, not a Buffer: Express's reply would send a Buffer as JSON.
  const cache = new Map<string, string>();
  return (file) => {
    const cached = cache.get(file) ?? readFileSync(join(dir, file), 'utf8');
    cache.set(file, cached);
    return cached;
  };
}

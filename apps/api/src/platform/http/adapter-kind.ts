export const HTTP_ADAPTER_KINDS = ['express', 'fastify'] as const;
export type HttpAdapterKind = (typeof HTTP_ADAPTER_KINDS)[number];

/**
 * The one place that picks the HTTP platform. Fastify won bench/http-adapter.ts on the
 * project machine (2 cores, 5 rounds: median 9,045 vs 3,165 req/s, p99 20 vs 51 ms; see
 * apps/api/README.md). HTTP_ADAPTER=express switches back without code changes.
 */
export const DEFAULT_HTTP_ADAPTER: HttpAdapterKind = 'fastify';

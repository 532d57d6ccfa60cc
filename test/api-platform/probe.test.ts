import { describe, it, expect } from '@jest/globals';
describe('probe', () => {
  it('loads throttler', async () => {
    const t = await import('@nestjs/throttler');
    expect(typeof t.ThrottlerGuard).toBe('function');
  });
  it('loads fastify adapter', async () => {
    const f = await import('@nestjs/platform-fastify');
    expect(typeof f.FastifyAdapter).toBe('function');
  });
  it('loads terminus, swagger, pino, prom-client, jose', async () => {
    await import('@nestjs/terminus'); await import('@nestjs/swagger'); await import('pino'); await import('prom-client'); await import('jose');
    await import('class-validator'); await import('class-transformer'); await import('fast-check');
  });
});

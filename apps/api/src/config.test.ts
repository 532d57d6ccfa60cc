import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, TEST_JWT_SECRET } from './config.js';

const SECRET = 'a'.repeat(32);

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ JWT_SECRET: SECRET });
    expect(config).toMatchObject({
      PORT: 3000,
      JWT_AUDIENCE: 'authenticated',
      RATE_LIMIT: 600,
      BODY_LIMIT: 100 * 1024,
      RUN_PROJECTIONS: true,
      HTTP_ADAPTER: 'fastify',
      READY_MAX_LAG_EVENTS: 1000,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.EVENTSTORE_URL).toBeUndefined();
  });

  it('parses sizes, flags and URLs', () => {
    const config = loadConfig({
      JWT_SECRET: SECRET,
      BODY_LIMIT: '1mb',
      RUN_PROJECTIONS: 'false',
      DATABASE_URL: 'postgres://u@db:5432/app',
      EVENTSTORE_URL: 'esdb://es:2113?tls=false',
      HTTP_ADAPTER: 'express',
      PORT: '0',
    });
    expect(config).toMatchObject({ BODY_LIMIT: 1024 * 1024, RUN_PROJECTIONS: false, HTTP_ADAPTER: 'express', PORT: 0 });
    expect(loadConfig({ JWT_SECRET: SECRET, BODY_LIMIT: '2048' }).BODY_LIMIT).toBe(2048);
  });

  it('takes READY_MAX_LAG_EVENTS as a whole number >= 0 (0 turns the lag check off)', () => {
    expect(loadConfig({ JWT_SECRET: SECRET, READY_MAX_LAG_EVENTS: '0' }).READY_MAX_LAG_EVENTS).toBe(0);
    expect(loadConfig({ JWT_SECRET: SECRET, READY_MAX_LAG_EVENTS: '50000' }).READY_MAX_LAG_EVENTS).toBe(50_000);
    for (const bad of ['-1', '1.5', 'lots']) {
      expect(() => loadConfig({ JWT_SECRET: SECRET, READY_MAX_LAG_EVENTS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ JWT_SECRET: SECRET, READY_MAX_LAG_EVENTS: bad })).toThrow(/READY_MAX_LAG_EVENTS: /);
    }
  });

  it('requires JWT_SECRET outside tests and falls back to the test secret in tests', () => {
    expect(() => loadConfig({})).toThrow(/JWT_SECRET: required/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: '' })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ENV: 'test' }).JWT_SECRET).toBe(TEST_JWT_SECRET);
  });

  it('reports every problem at once, by variable, without echoing values', () => {
    let error: unknown;
    try {
      loadConfig({
        JWT_SECRET: 'tooshort-secret-value',
        PORT: '70000',
        DATABASE_URL: 'mysql://x',
        BODY_LIMIT: 'lots',
        RUN_PROJECTIONS: 'maybe',
        RATE_LIMIT: '0',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((i) => i.split(':')[0]).sort()).toEqual([
      'BODY_LIMIT',
      'DATABASE_URL',
      'JWT_SECRET',
      'PORT',
      'RATE_LIMIT',
      'RUN_PROJECTIONS',
    ]);
    expect((error as Error).message).not.toContain('tooshort-secret-value');
  });
});

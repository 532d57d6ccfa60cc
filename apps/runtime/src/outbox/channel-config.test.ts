import { describe, expect, it } from '@jest/globals';
import { ACTION_TYPES } from '#revenue';
import { channelRouting, parseChannelConfig } from './channel-config.js';

const SECRET = 'a-webhook-secret-of-at-least-32-chars!';
const every = (channel: object) => JSON.stringify(Object.fromEntries(ACTION_TYPES.map((t) => [t, channel])));

describe('channel configuration', () => {
  it('unset: every channel is the local log channel, external in production', () => {
    const demo = parseChannelConfig({});
    expect('config' in demo && channelRouting(demo.config)).toEqual(Object.fromEntries(ACTION_TYPES.map((t) => [t, 'log'])));
    const production = parseChannelConfig({ NODE_ENV: 'production' });
    expect('config' in production && channelRouting(production.config)).toEqual(
      Object.fromEntries(ACTION_TYPES.map((t) => [t, 'external'])),
    );
  });

  it('a webhook gets the default timeout and attempts; MAOS by its own variables', () => {
    const parsed = parseChannelConfig({
      CHANNELS: every({ kind: 'webhook', url: 'https://hooks.example/x', secret: SECRET }),
      MAOS_WEBHOOK_URL: 'http://maos.internal/notify',
      MAOS_WEBHOOK_SECRET: SECRET,
      MAOS_WEBHOOK_TIMEOUT_MS: '2500',
    });
    expect(parsed).toEqual({
      config: expect.objectContaining({
        defaulted: false,
        maosWebhook: { url: 'http://maos.internal/notify', secret: SECRET, timeoutMs: 2500, maxAttempts: 8 },
      }),
    });
    expect('config' in parsed && parsed.config.channels.send_email).toEqual({
      kind: 'webhook',
      url: 'https://hooks.example/x',
      secret: SECRET,
      timeoutMs: 10_000,
      maxAttempts: 8,
    });
  });

  it('refuses, all at once and without echoing values: bad JSON, a missing channel, bad URL, short secret, unknown keys, half a MAOS webhook', () => {
    expect(parseChannelConfig({ CHANNELS: '{"send_email": ' })).toEqual({
      issues: ['CHANNELS: must be a JSON object (see docs/WEBHOOKS.md)'],
    });
    const partial = JSON.stringify({
      send_email: { kind: 'webhook', url: 'ftp://x', secret: 'short-secret-value', timeoutMs: 5 },
      voice_outreach: { kind: 'log', url: 'https://x' },
      offer_upgrade: { kind: 'carrier-pigeon' },
    });
    const result = parseChannelConfig({ CHANNELS: partial, MAOS_WEBHOOK_URL: 'https://maos.example/hook' });
    expect('issues' in result).toBe(true);
    const issues = 'issues' in result ? result.issues.join('\n') : '';
    expect(issues).toMatch(/CHANNELS\.send_email\.url: must be an http or https URL/);
    expect(issues).toMatch(/CHANNELS\.send_email\.secret: must be at least 32 characters/);
    expect(issues).toMatch(/CHANNELS\.send_email\.timeoutMs/);
    expect(issues).toMatch(/CHANNELS\.voice_outreach: Unrecognized key/);
    expect(issues).toMatch(/CHANNELS\.offer_upgrade\.kind/);
    expect(issues).toMatch(/CHANNELS\.trigger_client_journey_action: Required/);
    expect(issues).toMatch(/MAOS_WEBHOOK_SECRET: Required/);
    expect(issues).not.toContain('short-secret-value');
  });
});

import { z } from 'zod';
import { ACTION_TYPES, type ActionType, type ChannelRouting } from '#revenue';

/** Where the engine POSTs, signed with `secret` (see docs/WEBHOOKS.md). */
export interface WebhookTarget {
  readonly url: string;
  readonly secret: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
}

export type Channel =
  | ({ readonly kind: 'webhook' } & WebhookTarget)
  /** The engine records the delivery in its own log: the demo's channel, and the default. */
  | { readonly kind: 'log' }
  /** MAOS (or another dispatcher) delivers and reports through POST /api/maos/actions/{id}/dispatch. */
  | { readonly kind: 'external' };

export interface ChannelConfig {
  readonly channels: Readonly<Record<ActionType, Channel>>;
  /** MAOS notified of each new proposal (signed the same way); null: MAOS polls /api/maos/approvals. */
  readonly maosWebhook: WebhookTarget | null;
  /** True when CHANNELS was not set (every channel is then the local log channel, or external in production). */
  readonly defaulted: boolean;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_WEBHOOK_MAX_ATTEMPTS = 8;

const secret = z.string().min(32, 'must be at least 32 characters');
const target = {
  url: z
    .string()
    .url('must be an http or https URL')
    .refine((u) => /^https?:\/\//.test(u), 'must be an http or https URL'),
  secret,
  timeoutMs: z.number().int().min(100).max(120_000).default(DEFAULT_WEBHOOK_TIMEOUT_MS),
  maxAttempts: z.number().int().min(1).max(30).default(DEFAULT_WEBHOOK_MAX_ATTEMPTS),
};
const channel = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('webhook'), ...target }).strict(),
  z.object({ kind: z.literal('log') }).strict(),
  z.object({ kind: z.literal('external') }).strict(),
]);
const channels = z.object(Object.fromEntries(ACTION_TYPES.map((type) => [type, channel])) as Record<ActionType, typeof channel>).strict();

/**
 * The channel configuration, validated at start (every problem at once, values never echoed:
 * they hold secrets).
 *
 * - `CHANNELS`: a JSON object with one entry per action type, e.g.
 *   `{"send_email": {"kind": "webhook", "url": "https://…", "secret": "…", "timeoutMs": 5000, "maxAttempts": 6},
 *     "voice_outreach": {"kind": "external"}, …}`. When set it must name every action type: a
 *   channel left out must not silently fall back to a log line while credits are charged.
 *   Unset: every channel is the local log channel (the demo), except with NODE_ENV=production,
 *   where every channel is external (MAOS dispatches): production never charges credits for a log line.
 * - `MAOS_WEBHOOK_URL` + `MAOS_WEBHOOK_SECRET` (+ `MAOS_WEBHOOK_TIMEOUT_MS`, `MAOS_WEBHOOK_MAX_ATTEMPTS`):
 *   notify MAOS of new proposals.
 */
export function parseChannelConfig(env: Readonly<Record<string, string | undefined>>): { config: ChannelConfig } | { issues: string[] } {
  const issues: string[] = [];
  let parsedChannels: Record<ActionType, Channel> | null = null;
  const raw = env.CHANNELS;
  if (raw !== undefined && raw !== '') {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      issues.push('CHANNELS: must be a JSON object (see docs/WEBHOOKS.md)');
    }
    if (json !== undefined) {
      const result = channels.safeParse(json);
      if (result.success) parsedChannels = result.data;
      else issues.push(...result.error.issues.map((i) => `CHANNELS.${i.path.join('.') || '(root)'}: ${i.message}`));
    }
  }

  let maosWebhook: WebhookTarget | null = null;
  const url = env.MAOS_WEBHOOK_URL || undefined;
  const maosSecret = env.MAOS_WEBHOOK_SECRET || undefined;
  if (url !== undefined || maosSecret !== undefined) {
    const number = (name: string) => (env[name] ? Number(env[name]) : undefined);
    const result = z.object(target).safeParse({
      url,
      secret: maosSecret,
      timeoutMs: number('MAOS_WEBHOOK_TIMEOUT_MS'),
      maxAttempts: number('MAOS_WEBHOOK_MAX_ATTEMPTS'),
    });
    const names: Record<string, string> = {
      url: 'MAOS_WEBHOOK_URL',
      secret: 'MAOS_WEBHOOK_SECRET',
      timeoutMs: 'MAOS_WEBHOOK_TIMEOUT_MS',
      maxAttempts: 'MAOS_WEBHOOK_MAX_ATTEMPTS',
    };
    if (result.success) maosWebhook = result.data;
    else issues.push(...result.error.issues.map((i) => `${names[String(i.path[0])] ?? 'MAOS_WEBHOOK'}: ${i.message}`));
  }
  if (issues.length) return { issues };
  const fallback: Channel = env.NODE_ENV === 'production' ? { kind: 'external' } : { kind: 'log' };
  const config: ChannelConfig = {
    channels: parsedChannels ?? (Object.fromEntries(ACTION_TYPES.map((type) => [type, fallback])) as Record<ActionType, Channel>),
    maosWebhook,
    defaulted: parsedChannels === null,
  };
  return { config };
}

/** What the approval decision needs of the configuration. */
export function channelRouting(config: ChannelConfig): ChannelRouting {
  return Object.fromEntries(ACTION_TYPES.map((type) => [type, config.channels[type].kind])) as ChannelRouting;
}

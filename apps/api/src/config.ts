import { z } from 'zod';
import { parseChannelConfig, parseRuleConfig, type ChannelConfig, type RuleConfig } from '#runtime';
import { DEFAULT_HTTP_ADAPTER, HTTP_ADAPTER_KINDS } from './platform/http/adapter-kind.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2 };

/** "100kb", "1mb", "2048": bytes, as body limits are usually written. */
const byteSize = z
  .string()
  .trim()
  .regex(/^\d+(\s*(b|kb|mb))?$/i, 'expected a size such as 2048, 100kb or 1mb')
  .transform((value) => {
    const [, digits, unit] = /^(\d+)\s*([a-z]*)$/i.exec(value)!;
    return Number(digits) * UNITS[(unit || 'b').toLowerCase()]!;
  })
  .pipe(
    z
      .number()
      .int()
      .min(1024, 'must be at least 1kb')
      .max(50 * 1024 ** 2, 'must be at most 50mb'),
  );

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { errorMap: () => ({ message: 'expected true or false' }) })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (schemes: readonly string[]) =>
  z
    .string()
    .url()
    .refine((u) => schemes.some((s) => u.startsWith(`${s}://`)), `expected a ${schemes.join(' or ')} URL`);

const schema = z.object({
  NODE_ENV: z.string().default('production'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number({ invalid_type_error: 'expected a port number' }).int().min(0).max(65_535).default(3000),
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  EVENTSTORE_URL: url(['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover']).optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters (an HS256 secret)').optional(),
  JWT_AUDIENCE: z.string().min(1).default('authenticated'),
  JWT_ISSUER: z.string().min(1).optional(),
  /** Requests per token (or per client address without one) per minute. */
  RATE_LIMIT: z.coerce.number({ invalid_type_error: 'expected a whole number' }).int().min(1).default(600),
  BODY_LIMIT: byteSize.default('100kb'),
  RUN_PROJECTIONS: flag.default('true'),
  /** Deliver the outbox (approved actions to their channels, proposals to MAOS's webhook) in this process. */
  RUN_DISPATCHER: flag.default('true'),
  /**
   * Minutes between scheduled runs (fleet sweep that proposes, then expiry of stale proposals);
   * 0 turns the scheduler off in this process. Any number of API and worker processes may run
   * it: one leads (an advisory lock), runs never overlap, every run is recorded.
   */
  SWEEP_INTERVAL_MINUTES: z.coerce.number({ invalid_type_error: 'expected minutes' }).min(0).max(10_080).default(60),
  /** Proposed actions still awaiting approval after this many hours expire (their credits are released). */
  PROPOSAL_MAX_AGE_HOURS: z.coerce.number({ invalid_type_error: 'expected hours' }).positive().max(8_760).default(72),
  /**
   * The scheduler's sweep is incremental (only the orgs whose inputs changed since its last run);
   * it aggregates the whole window and decides every org again at least this often.
   */
  FULL_SWEEP_EVERY_HOURS: z.coerce.number({ invalid_type_error: 'expected hours' }).positive().max(8_760).default(24),
  HTTP_ADAPTER: z.enum(HTTP_ADAPTER_KINDS).default(DEFAULT_HTTP_ADAPTER),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Demo data on start: `auto` loads it (and runs a first analysis) when the embedded database
   * has no organization yet; `true` also on DATABASE_URL's server when it is empty; `false` never.
   */
  DEMO_DATA: z.enum(['auto', 'true', 'false']).default('auto'),
  /**
   * /health/ready fails when a projection is more than this many events behind the log (below
   * one batch of the runner, 2000: a projection that keeps up never is; one rebuilding from the
   * start or stuck is). 0 turns the lag check off; a halted projection fails readiness anyway.
   */
  READY_MAX_LAG_EVENTS: z.coerce.number({ invalid_type_error: 'expected a whole number' }).int().min(0).default(1000),
  /** How long shutdown waits for in-flight work (HTTP requests, projection batches). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number({ invalid_type_error: 'expected milliseconds' }).int().min(0).max(600_000).default(10_000),
});

/** Used only when NODE_ENV=test and no secret is given; test/support/tokens.ts signs with it. */
export const TEST_JWT_SECRET = 'test-only-hs256-secret-never-use-in-production';

type Parsed = z.infer<typeof schema>;
export type ApiConfig = Readonly<Omit<Parsed, 'JWT_SECRET'> & { JWT_SECRET: string; channels: ChannelConfig; rules: RuleConfig }>;

/**
 * Validates the environment once, at boot. Every problem is reported at once; values are
 * never echoed (a secret in the wrong variable must not land in a log).
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  // An empty variable means "unset" (docker-compose and shells often export VAR=).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  const channels = parseChannelConfig(present);
  const rules = parseRuleConfig(present);
  const issues = [
    ...(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)),
    ...('issues' in channels ? channels.issues : []),
    ...('issues' in rules ? rules.issues : []),
  ];
  if (!result.success || 'issues' in channels || 'issues' in rules) throw new ConfigError(issues);
  const { JWT_SECRET, ...settings } = result.data;
  const rest = { ...settings, channels: channels.config, rules: rules.config };
  if (JWT_SECRET !== undefined) return { ...rest, JWT_SECRET };
  if (rest.NODE_ENV === 'test') return { ...rest, JWT_SECRET: TEST_JWT_SECRET };
  throw new ConfigError(['JWT_SECRET: required (the HS256 secret of the Supabase project)']);
}

import { z } from 'zod';
import { parseRuleConfig, type RuleConfig } from '#runtime';
import { ConfigError } from './exit-codes.js';

const url = (schemes: readonly string[]) =>
  z
    .string()
    .url()
    .refine((u) => schemes.some((s) => u.startsWith(`${s}://`)), `expected a ${schemes.join(' or ')} URL`);

/** The variables the CLI reads; the same names and rules as the API (apps/api/src/config.ts). */
const schema = z.object({
  NODE_ENV: z.string().optional(),
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  EVENTSTORE_URL: url(['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover']).optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters (an HS256 secret)').optional(),
  JWT_AUDIENCE: z.string().min(1).default('authenticated'),
  JWT_ISSUER: z.string().min(1).optional(),
});

export type CliConfig = Readonly<z.infer<typeof schema> & { rules: RuleConfig }>;

/**
 * Validates the environment before any connection is made. Every problem is reported at once;
 * values are never echoed (a secret in the wrong variable must not land in a terminal log).
 */
export function loadCliConfig(env: Readonly<Record<string, string | undefined>>): CliConfig {
  // An empty variable means "unset" (docker-compose and shells often export VAR=).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  const rules = parseRuleConfig(present);
  const issues = [
    ...(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)),
    ...('issues' in rules ? rules.issues : []),
  ];
  if (!result.success || 'issues' in rules) throw new ConfigError(issues);
  return { ...result.data, rules: rules.config };
}

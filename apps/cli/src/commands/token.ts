import { isUuid } from '#database';
import { configOf, type CommandContext } from '../context.js';
import { ConfigError } from '../exit-codes.js';
import { mintToken, SERVICE_SCOPES, type TokenSubject } from '#runtime';

export interface TokenOptions {
  readonly sub?: string;
  readonly service?: string;
  readonly scope?: string;
  readonly expiresIn: string;
}

/** What jose accepts as a lifetime, kept to the unambiguous forms: 90s, 30m, 1h, 7d, 2w, "12 hours". */
const DURATION = /^\d+\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)$/i;
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export async function token(options: TokenOptions, ctx: CommandContext): Promise<void> {
  const subject = subjectOf(options, ctx);
  if (!DURATION.test(options.expiresIn.trim()))
    ctx.usage(`--expires-in must be a duration such as 30m, 1h or 7d, got '${options.expiresIn}'`);
  const config = configOf(ctx);
  const minted = await mintToken(subject, {
    secret: await jwtSecret(config.JWT_SECRET, ctx.env),
    audience: config.JWT_AUDIENCE,
    issuer: config.JWT_ISSUER,
    expiresIn: options.expiresIn.trim(),
  });
  // Human form: the token alone on stdout, so TOKEN=$(revenue-engine token ...) works.
  ctx.print.result(minted, () => minted.token);
  ctx.print.note(`${minted.kind} token for ${minted.sub}${minted.scope ? ` (scope: ${minted.scope})` : ''}, expires ${minted.expiresAt}`);
}

function subjectOf(options: TokenOptions, ctx: CommandContext): TokenSubject {
  if (options.sub !== undefined && options.service !== undefined)
    ctx.usage('give either --sub (a user) or --service (a service), not both');
  if (options.sub !== undefined) {
    if (options.scope !== undefined) ctx.usage('--scope is for service tokens (--service): the API ignores scopes on user tokens');
    if (!isUuid(options.sub)) ctx.usage(`--sub must be a user id (a UUID), got '${options.sub}'`);
    return { kind: 'user', userId: options.sub };
  }
  if (options.service === undefined)
    ctx.usage('give --sub <user id> for a user token or --service <name> --scope "<scopes>" for a service token');
  if (!SERVICE_NAME.test(options.service))
    ctx.usage(`--service must be a name such as maos (letters, digits, . _ : -), got '${options.service}'`);
  const scopes = (options.scope ?? '').split(/[\s,]+/).filter(Boolean);
  if (scopes.length === 0) ctx.usage(`a service token needs --scope, one or more of: ${SERVICE_SCOPES.join(' ')}`);
  const unknown = scopes.filter((s) => !(SERVICE_SCOPES as readonly string[]).includes(s));
  if (unknown.length) ctx.usage(`unknown scope ${unknown.map((s) => `'${s}'`).join(', ')} (known: ${SERVICE_SCOPES.join(' ')})`);
  return { kind: 'service', name: options.service, scopes: [...new Set(scopes)] };
}

/** JWT_SECRET, else the development secret the API uses too (.data/dev-jwt-secret), except in production and test. */
async function jwtSecret(configured: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (configured) return configured;
  if (env.NODE_ENV !== 'production' && env.NODE_ENV !== 'test') {
    const { withDevJwtSecret } = await import('#runtime');
    const secret = withDevJwtSecret(env).JWT_SECRET;
    if (secret) return secret;
  }
  throw new ConfigError(['JWT_SECRET: required (the HS256 secret the API verifies tokens with)']);
}

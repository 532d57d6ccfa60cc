import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors wherever they appear (top level, one or two levels down): credentials,
 * and personal fields that may slip into a logged object. We log ids, never people.
 */
export const REDACTED_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'token',
  'accessToken',
  'refreshToken',
  'jwt',
  'password',
  'secret',
  'email',
  'phone',
  'ip',
  'remoteAddress',
] as const;

export function redactPaths(keys: readonly string[] = REDACTED_KEYS): string[] {
  return keys.flatMap((key) => {
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const member = k.startsWith('[') ? k : `.${k}`;
    return [k, `*${member}`, `*.*${member}`];
  });
}

export interface CreateLoggerOptions {
  readonly level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read the lines back. */
  readonly destination?: DestinationStream;
  readonly base?: Record<string, unknown>;
}

/** JSON lines with a fixed redaction list and an error serializer that drops driver detail. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: options.base ?? { service: 'revenue-engine' },
    redact: { paths: redactPaths(), censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/**
 * Keeps type, message, code and stack only: PostgreSQL errors carry `detail`/`where` with row
 * values (personal data), and driver errors may hold connection strings.
 */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    stack: error.stack,
  };
}

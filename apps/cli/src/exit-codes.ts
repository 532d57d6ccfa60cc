/** The CLI's exit codes: scripts can tell "fix the command line" from "fix the environment" from "it failed". */
export const EXIT = {
  ok: 0,
  /** Run-time failure: unknown org, database down, a projection halted. */
  failure: 1,
  /** Bad command line: unknown command or flag, missing or invalid argument. */
  usage: 2,
  /** EX_CONFIG from sysexits.h, as the API: the environment, not the command line, needs fixing. */
  config: 78,
} as const;

/** Invalid environment (DATABASE_URL, EVENTSTORE_URL, JWT_SECRET, ...): exits 78 naming every bad variable, never echoing values. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
}

/** A run-time failure whose message is already written for the operator (exit 1, no stack trace). */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

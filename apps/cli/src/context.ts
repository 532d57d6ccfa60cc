import { loadCliConfig, type CliConfig } from './config.js';
import type { Printer } from './output.js';
import type { Progress } from './progress.js';

/** What a command's implementation gets from the command line layer. */
export interface CommandContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly print: Printer;
  readonly progress: Progress;
  /** A bad command line found after parsing: the message and the hint to this command's --help (exit 2). */
  usage(message: string): never;
}

/** The validated environment (throws ConfigError: exit 78). Read only once the command line is known good. */
export function configOf(ctx: CommandContext): CliConfig {
  return loadCliConfig(ctx.env);
}

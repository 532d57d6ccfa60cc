import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { listParked } from '#projection-runner';
import { RunFullAnalysis, RunFullAnalysisHandler, SweepFleet, SweepFleetHandler, type CommandMeta } from '#revenue-commands';
import { openRuntime, seedDemoData, withDevJwtSecret, type Runtime } from '#runtime';
import { mintToken } from './mint-token.js';

const USAGE = `usage: npm run cli -- <command> [options]

  migrate                      apply pending migrations
  status                       projections: state, position, lag, parked events
  rebuild <projection>         rebuild a read model from position zero, then swap it in
  resume <projection>          clear a halt (the parked event is retried first)
  parked <projection>          list parked (dead-lettered) events
  sweep                        run the fleet sweep over every org now
  analyze <orgId>              run the full analysis for one org
  demo-data [--orgs N]         create N demo orgs (default 20) with 60 days of usage
  token --sub <uuid> [--scope "maos:read maos:approve"] [--expires-in 1h]
                               mint an HS256 token signed with JWT_SECRET

DATABASE_URL / EVENTSTORE_URL select the servers (default: the embedded PostgreSQL of npm start).`;

class UsageError extends Error {}

const cliMeta = (): CommandMeta => ({ actor: { kind: 'system', id: 'cli' }, correlationId: randomUUID() });

async function run(argv: string[]): Promise<unknown> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { orgs: { type: 'string' }, sub: { type: 'string' }, scope: { type: 'string' }, 'expires-in': { type: 'string' } },
  });
  const [command, arg] = positionals;
  if (command === 'token')
    return mintToken(withDevJwtSecret(process.env), { sub: values.sub, scope: values.scope, expiresIn: values['expires-in'] });
  const needsArg = ['rebuild', 'resume', 'parked', 'analyze'];
  if (!command || !['migrate', 'status', 'sweep', 'demo-data', ...needsArg].includes(command))
    throw new UsageError(command ? `unknown command: ${command}` : 'no command given');
  if (needsArg.includes(command) && !arg) throw new UsageError(`${command} needs an argument`);
  const runtime = await openRuntime({ databaseUrl: process.env.DATABASE_URL, eventStoreUrl: process.env.EVENTSTORE_URL });
  try {
    return await execute(runtime, command, arg!, values.orgs);
  } finally {
    await runtime.close();
  }
}

async function execute(runtime: Runtime, command: string, arg: string, orgs: string | undefined): Promise<unknown> {
  switch (command) {
    case 'migrate':
      return { migrated: true }; // openRuntime applied them
    case 'status':
      return runtime.runner.status();
    case 'rebuild':
      runtime.runner.start(); // this process does the work if no other runner holds the projection
      await runtime.runner.rebuild(arg, { timeoutMs: 30 * 60_000 });
      return { rebuilt: arg };
    case 'resume':
      return { resumed: await runtime.runner.resume(arg) };
    case 'parked':
      return listParked(runtime.pool, arg);
    case 'sweep':
      return new SweepFleetHandler(runtime.deps).execute(new SweepFleet(cliMeta()));
    case 'analyze':
      return (await new RunFullAnalysisHandler(runtime.deps).execute(new RunFullAnalysis(arg, cliMeta()))).analysis;
    default: {
      const count = orgs === undefined ? 20 : Number(orgs);
      if (!Number.isInteger(count) || count < 1) throw new UsageError(`--orgs must be a positive whole number, got ${orgs}`);
      const demo = await seedDemoData(runtime.pool, count, runtime.deps.clock.now());
      return { orgs: demo.orgIds.length, firstOrgId: demo.orgIds[0], ownerUserId: demo.ownerUserId };
    }
  }
}

run(process.argv.slice(2)).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n${usage ? `\n${USAGE}\n` : ''}`);
    process.exitCode = usage ? 2 : 1;
  },
);

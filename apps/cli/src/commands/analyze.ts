import { isUuid } from '#database';
import type { Runtime } from '#runtime';
import { configOf, type CommandContext } from '../context.js';
import { CliFailure } from '../exit-codes.js';
import { keyValues, table } from '../output.js';
import { cliMeta } from './meta.js';

export interface AnalyzeOptions {
  readonly org?: string;
  readonly all?: boolean;
  readonly concurrency: number;
}

/**
 * `--org ID`: RunFullAnalysis for one org (detect, trigger actions, expansion), as
 * POST /api/revenue/analyze. `--all`: the same full analysis for every org, a few at a time
 * (per-org, so each org gets its actions triggered; the set-based detection-only pass over the
 * fleet is `sweep`).
 */
export async function analyze(options: AnalyzeOptions, ctx: CommandContext): Promise<void> {
  if (options.org === undefined && !options.all) ctx.usage('give --org <id> or --all');
  if (options.org !== undefined && !isUuid(options.org)) ctx.usage(`--org must be an organization id (a UUID), got '${options.org}'`);
  const config = configOf(ctx);
  // The engine is loaded only once the command line and the environment are known good.
  const { withRuntime } = await import('../session.js');
  if (options.org !== undefined) {
    const orgId = options.org.toLowerCase();
    const result = await withRuntime(config, ctx.env, (runtime) => analyzeOne(runtime, orgId));
    ctx.print.result(result, () =>
      keyValues([
        ['org', result.orgId],
        ['upsell opportunities', result.upsellOpportunities],
        ['churn risks', result.churnRisks],
        ['actions triggered', result.actionsTriggered],
        ['potential MRR', result.potentialMRR.toFixed(2)],
        ['events appended', result.eventsAppended],
        ['log position', result.position],
      ]),
    );
    return;
  }
  const result = await withRuntime(config, ctx.env, (runtime) => analyzeAll(runtime, options.concurrency, ctx));
  ctx.print.result(result, () => {
    const summary = keyValues([
      ['orgs analysed', result.orgs],
      ['failed', result.failed],
      ['upsell opportunities', result.upsellOpportunities],
      ['churn risks', result.churnRisks],
      ['actions triggered', result.actionsTriggered],
      ['potential MRR', result.potentialMRR.toFixed(2)],
      ['events appended', result.eventsAppended],
    ]);
    if (result.failures.length === 0) return summary;
    return `${summary}\n\n${table(result.failures, [
      { header: 'failed org', value: (f) => f.orgId },
      { header: 'error', value: (f) => f.error },
    ])}`;
  });
  if (result.failed > 0) throw new CliFailure(`analyze --all: ${result.failed} of ${result.orgs} orgs failed`);
}

async function analyzeOne(runtime: Runtime, orgId: string) {
  const { RunFullAnalysis, RunFullAnalysisHandler } = await import('#revenue-commands');
  const result = await new RunFullAnalysisHandler(runtime.deps).execute(new RunFullAnalysis(orgId, cliMeta()));
  return { orgId, ...result.analysis, eventsAppended: result.events.length, position: result.position, revision: result.revision };
}

async function analyzeAll(runtime: Runtime, concurrency: number, ctx: CommandContext) {
  const { analyzeEveryOrg } = await import('#runtime');
  let bar: ReturnType<CommandContext['progress']['bar']> | undefined;
  try {
    return await analyzeEveryOrg(runtime, {
      concurrency,
      meta: cliMeta(),
      onStart: (orgs) => (bar = ctx.progress.bar('analyze', orgs, 'orgs')),
      onOrg: () => bar?.increment(),
    });
  } finally {
    bar?.stop();
  }
}

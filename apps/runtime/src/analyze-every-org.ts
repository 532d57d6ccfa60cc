import { randomUUID } from 'node:crypto';
import { sql } from '#database';
import { RunFullAnalysis, RunFullAnalysisHandler, type CommandMeta } from '#revenue-commands';
import type { Runtime } from './open-runtime.js';

export interface FleetAnalysis {
  readonly orgs: number;
  readonly failed: number;
  readonly upsellOpportunities: number;
  readonly churnRisks: number;
  readonly actionsTriggered: number;
  readonly potentialMRR: number;
  readonly eventsAppended: number;
  /** The first few failures (the count above is complete). */
  readonly failures: ReadonlyArray<{ readonly orgId: string; readonly error: string }>;
}

const LISTED_FAILURES = 20;

/**
 * The full analysis (detect, trigger actions, expansion) of every org, `concurrency` at a time:
 * per org, so each one gets its actions proposed. (The set-based, detection-only pass over the
 * fleet is the sweep.) `onStart` gets the number of orgs, `onOrg` is called after each one: for progress.
 */
export async function analyzeEveryOrg(
  runtime: Pick<Runtime, 'pool' | 'deps'>,
  options: {
    readonly concurrency?: number;
    readonly meta?: CommandMeta;
    readonly onStart?: (orgs: number) => void;
    readonly onOrg?: () => void;
  } = {},
): Promise<FleetAnalysis> {
  const orgIds = (await runtime.pool.anyFirst(sql.unsafe`SELECT id FROM organizations ORDER BY id`)) as string[];
  options.onStart?.(orgIds.length);
  const handler = new RunFullAnalysisHandler(runtime.deps);
  const meta = options.meta ?? { actor: { kind: 'system', id: 'analyze-every-org' }, correlationId: randomUUID() };
  const totals = {
    orgs: orgIds.length,
    failed: 0,
    upsellOpportunities: 0,
    churnRisks: 0,
    actionsTriggered: 0,
    potentialMRR: 0,
    eventsAppended: 0,
  };
  const failures: Array<{ orgId: string; error: string }> = [];
  let next = 0;
  const worker = async () => {
    while (next < orgIds.length) {
      const orgId = orgIds[next++]!;
      try {
        const { analysis, events } = await handler.execute(new RunFullAnalysis(orgId, meta));
        totals.upsellOpportunities += analysis.upsellOpportunities;
        totals.churnRisks += analysis.churnRisks;
        totals.actionsTriggered += analysis.actionsTriggered;
        totals.potentialMRR += analysis.potentialMRR;
        totals.eventsAppended += events.length;
      } catch (error) {
        totals.failed++;
        if (failures.length < LISTED_FAILURES) failures.push({ orgId, error: error instanceof Error ? error.message : String(error) });
      }
      options.onOrg?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, Math.max(orgIds.length, 1)) }, worker));
  return { ...totals, potentialMRR: Math.round(totals.potentialMRR * 100) / 100, failures };
}

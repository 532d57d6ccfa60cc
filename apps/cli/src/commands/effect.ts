import { isUuid } from '#database';
import { effectReport, listAttributions, type PlayEffect } from '#read-models';
import type { Interval, OpportunityType } from '#revenue';
import { configOf, type CommandContext } from '../context.js';
import { table } from '../output.js';
import { withRuntime } from '../session.js';

const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
const interval = (i: Interval | null, format: (x: number) => string) =>
  i ? `${format(i.estimate)} [${format(i.low)}, ${format(i.high)}]` : '-';
const rate = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)} %`);
const money = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;

/**
 * The uplift report from the read model (what GET /api/analytics/effect serves): per play and
 * experiment, treatment versus control, the lift in points with its 95 % interval, incremental
 * conversions and MRR, credits, and the minimum detectable effect; the method under the table.
 */
export async function effect(_options: unknown, ctx: CommandContext): Promise<void> {
  const config = configOf(ctx);
  const report = await withRuntime(config, ctx.env, (runtime) =>
    effectReport(runtime.pool, { now: runtime.deps.clock.now(), observationWindowDays: config.rules.observation.windowDays }),
  );
  const rows: PlayEffect[] = [...report.plays, report.overall];
  ctx.print.result(report, () =>
    report.plays.length === 0
      ? `no observed outcomes of a play with a holdout yet (outcomes are observed ${report.observationWindowDays} days after detection; RULE_SET_VERSION selects the rules)`
      : [
          table(rows, [
            { header: 'play', value: (r) => r.play },
            { header: 'experiment', value: (r) => r.experimentId },
            { header: 'treated', value: (r) => `${r.treatment.conversions}/${r.treatment.orgs}`, align: 'right' },
            { header: 'rate', value: (r) => rate(r.treatment.conversionRate), align: 'right' },
            { header: 'control', value: (r) => `${r.control.conversions}/${r.control.orgs}`, align: 'right' },
            { header: 'rate', value: (r) => rate(r.control.conversionRate), align: 'right' },
            { header: 'lift, points [95 %]', value: (r) => (r.enoughData ? interval(r.lift, points) : 'not enough data') },
            { header: 'incremental MRR [95 %]', value: (r) => interval(r.incrementalMrr, money) },
            { header: 'credits', value: (r) => r.creditsSpent.toFixed(2), align: 'right' },
            {
              header: 'MRR/credit',
              value: (r) => (r.incrementalMrrPerCredit === null ? null : r.incrementalMrrPerCredit.toFixed(2)),
              align: 'right',
            },
            {
              header: 'MDE, points',
              value: (r) => (r.minimumDetectableEffect === null ? null : (r.minimumDetectableEffect * 100).toFixed(1)),
              align: 'right',
            },
          ]),
          '',
          ...rows.filter((r) => r.notEnoughDataReason).map((r) => `${r.play}: ${r.notEnoughDataReason}`),
          `lift: ${report.method.lift}`,
          `horizon: ${report.method.horizon}`,
          `unit: ${report.method.unit}`,
        ].join('\n'),
  );
}

/** The treated conversions and their chain (GET /api/analytics/attribution), newest observation first. */
export async function attribution(
  options: { readonly play?: OpportunityType; readonly org?: string; readonly limit: number },
  ctx: CommandContext,
): Promise<void> {
  if (options.org !== undefined && !isUuid(options.org)) {
    ctx.usage(`--org must be a UUID`);
  }
  const items = await withRuntime(configOf(ctx), ctx.env, (runtime) =>
    listAttributions(runtime.pool, {
      limit: options.limit,
      ...(options.play ? { play: options.play } : {}),
      ...(options.org ? { orgId: options.org.toLowerCase() } : {}),
    }),
  );
  ctx.print.result(items, () =>
    items.length === 0
      ? 'no treated conversion observed yet'
      : table(items, [
          { header: 'org', value: (r) => r.orgId },
          { header: 'play', value: (r) => r.play },
          { header: 'detected', value: (r) => r.detectedAt },
          { header: 'actions', value: (r) => r.actions.map((a) => `${a.actionType}:${a.result}`).join(' ') || 'none' },
          { header: 'credits', value: (r) => r.actions.reduce((sum, a) => sum + a.creditsCharged, 0).toFixed(2), align: 'right' },
          { header: 'observed', value: (r) => r.observation.observedAt },
          { header: 'MRR', value: (r) => r.realisedMrr.toFixed(2), align: 'right' },
        ]),
  );
}

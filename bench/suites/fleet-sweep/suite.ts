import { createDatabasePool, sql } from '#database';
import { PostgresEventStore } from '#event-store';
import { metric, type BenchContext, type Metric, type Suite } from '../../harness.js';
import { describeSplit } from '../support/cpu.js';
import { seedLog } from '../support/events.js';
import { runSpecPattern } from './spec-per-org.js';
import { FLEET_AS_OF, FLEET_HISTORY_EVENTS, resetRevenueState, seededFleetDatabase, sweepRound, type SweepRound } from './sweep-round.js';

const ORGS = 100_000;
const SAMPLE_EVERY = 200; // the spec pattern runs on every 200th org: 500 orgs
const MAX_ROUNDS = 2;

/**
 * Issues 3 and 9: the whole fleet swept in one pass, detections and proposed actions
 * (SweepFleetHandler, PostgreSQL event store, both revenue projections caught up) against the
 * specification's per-org queries on the same data, measured on a sample and extrapolated
 * linearly to the fleet. (The spec pattern does detection only: the comparison now favours it.)
 */
export const fleetSweep: Suite = {
  name: 'fleet-sweep',
  description: `SweepFleet over ${ORGS.toLocaleString('en-US')} orgs x 60 days of usage vs the spec's per-org queries`,
  async run(ctx: BenchContext): Promise<Metric[]> {
    const url = await seededFleetDatabase(ctx, { orgs: ORGS, asOf: FLEET_AS_OF });
    const pool = await createDatabasePool(url);
    const store = new PostgresEventStore({ pool, connectionUrl: url });
    try {
      const usageRows = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM token_usage`));
      const history = await seedLog(pool, FLEET_HISTORY_EVENTS, { streams: 1000 });
      ctx.log(`fleet: ${ORGS} orgs, ${usageRows} token_usage rows; ${FLEET_HISTORY_EVENTS} earlier events in the log`);
      const rounds = Math.min(ctx.rounds, MAX_ROUNDS);
      const sample = (await pool.anyFirst(sql.unsafe`
        SELECT id::text FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM organizations) o WHERE n % ${SAMPLE_EVERY} = 0`)) as string[];
      const specPerOrgMs: number[] = [];
      const sweeps: SweepRound[] = [];
      for (let round = 1; round <= rounds; round++) {
        await resetRevenueState(pool);
        const spec = await runSpecPattern(pool, sample, FLEET_AS_OF);
        specPerOrgMs.push((1000 * spec.seconds) / spec.orgs);
        ctx.log(
          `round ${round} spec per-org pattern: ${spec.orgs} orgs, ${spec.queries} queries, ${spec.opportunitiesInserted} inserts in ${spec.seconds.toFixed(2)} s ` +
            `= ${((1000 * spec.seconds) / spec.orgs).toFixed(2)} ms/org -> ${((spec.seconds / spec.orgs) * ORGS).toFixed(0)} s for ${ORGS} orgs`,
        );
        const r = await sweepRound(pool, store, url, { asOf: FLEET_AS_OF, history, resweep: round === 1 });
        sweeps.push(r);
        ctx.log(
          `round ${round} sweep: ${r.first.orgs} orgs, ${r.first.detections} detections, ${r.first.actionsProposed} actions proposed, ` +
            `${r.first.runsStopped} runs stopped, ${r.first.eventsAppended} events to ${r.first.orgsChanged} streams; ` +
            `sweep ${r.sweepS.toFixed(2)} s, with projections ${r.full.wallS.toFixed(2)} s (${describeSplit(r.full)})` +
            (r.againS === null ? '' : `; re-sweep ${r.againS.toFixed(2)} s`),
        );
      }
      const fullS = sweeps.map((r) => r.full.wallS);
      const extrapolatedS = specPerOrgMs.map((ms) => (ms * ORGS) / 1000);
      const events = sweeps[0]?.first.eventsAppended ?? 0;
      return [
        metric('full sweep: SweepFleet + both projections caught up', 's', fullS, {
          target: '<= 6',
          note: `${events.toLocaleString('en-US')} events`,
        }),
        metric(
          'SweepFleetHandler.execute alone',
          's',
          sweeps.map((r) => r.sweepS),
        ),
        metric(
          'projection lag after the sweep returned',
          's',
          sweeps.map((r) => r.full.wallS - r.sweepS),
        ),
        metric(
          're-sweep, unchanged usage (no proposals, only stopped runs; first round only)',
          's',
          sweeps.flatMap((r) => (r.againS === null ? [] : [r.againS])),
        ),
        metric(`spec per-org pattern, per org (${sample.length}-org sample)`, 'ms', specPerOrgMs),
        metric(`spec per-org pattern extrapolated to ${ORGS.toLocaleString('en-US')} orgs`, 's', extrapolatedS),
        metric(
          'speed-up: spec extrapolated / full sweep',
          'x',
          fullS.map((s, i) => extrapolatedS[i]! / s),
          { target: '>= 20' },
        ),
      ];
    } finally {
      await store.close();
      await pool.end();
    }
  },
};

import { createDatabasePool, type DatabasePool } from '#database';
import { PostgresEventStore, type LogPosition } from '#event-store';
import { metric, type BenchContext, type Metric, type Suite } from '../harness.js';
import { describeSplit } from './support/cpu.js';
import { seedLog } from './support/events.js';
import { FLEET_AS_OF, FLEET_HISTORY_EVENTS, seededFleetDatabase, sweepRound, type SweepRound } from './fleet-sweep/sweep-round.js';

const SIZES = [10_000, 100_000, 300_000] as const;
const MAX_ROUNDS = 2;

interface Fleet {
  readonly orgs: number;
  readonly url: string;
  readonly pool: DatabasePool;
  readonly store: PostgresEventStore;
  readonly history: LogPosition;
}

/**
 * Issue 13, target 1: is the full sweep's cost per org flat with the fleet's size? The fleet-sweep
 * suite's fleet (same profiles, 60 days) at 10,000, 100,000 and 300,000 orgs, one database each;
 * per round every size once, in a rotating order, each a cold full sweep with every projection
 * caught up (the fleet-sweep suite's round: state reset, runner live). The projections' lag after
 * the sweep returned is reported apart, as a fixed cost.
 */
export const fleetSweepScale: Suite = {
  name: 'fleet-sweep-scale',
  description: `SweepFleet at ${SIZES.map((n) => n.toLocaleString('en-US')).join(' / ')} orgs x 60 days: cost per org`,
  async run(ctx: BenchContext): Promise<Metric[]> {
    const fleets: Fleet[] = [];
    try {
      for (const orgs of SIZES) {
        const url = await seededFleetDatabase(ctx, { orgs, asOf: FLEET_AS_OF });
        const pool = await createDatabasePool(url);
        const store = new PostgresEventStore({ pool, connectionUrl: url });
        fleets.push({ orgs, url, pool, store, history: await seedLog(pool, FLEET_HISTORY_EVENTS, { streams: 1000 }) });
      }
      const rounds = Math.min(ctx.rounds, MAX_ROUNDS);
      const bySize = new Map<number, SweepRound[]>(SIZES.map((n) => [n, []]));
      for (let round = 1; round <= rounds; round++) {
        for (let k = 0; k < fleets.length; k++) {
          const f = fleets[(k + round) % fleets.length]!;
          const r = await sweepRound(f.pool, f.store, f.url, { asOf: FLEET_AS_OF, history: f.history, resweep: false });
          bySize.get(f.orgs)!.push(r);
          ctx.log(
            `round ${round} ${f.orgs} orgs: ${r.first.eventsAppended} events; sweep ${r.sweepS.toFixed(2)} s ` +
              `(${((1000 * r.sweepS) / f.orgs).toFixed(3)} ms/org), with projections ${describeSplit(r.full)}`,
          );
        }
      }
      const perOrg = (n: number) => bySize.get(n)!.map((r) => (1000 * r.sweepS) / n);
      return [
        ...SIZES.flatMap((n) => [
          metric(`${n.toLocaleString('en-US')} orgs: SweepFleetHandler.execute, per org`, 'ms', perOrg(n), {
            note: `${bySize.get(n)![0]!.first.eventsAppended.toLocaleString('en-US')} events`,
          }),
          metric(
            `${n.toLocaleString('en-US')} orgs: sweep + all projections caught up`,
            's',
            bySize.get(n)!.map((r) => r.full.wallS),
          ),
          metric(
            `${n.toLocaleString('en-US')} orgs: projection lag after the sweep returned (fixed cost, apart)`,
            's',
            bySize.get(n)!.map((r) => r.full.wallS - r.sweepS),
          ),
        ]),
        metric(
          'per org: 300,000 / 10,000 orgs (same round)',
          'x',
          perOrg(300_000).map((ms, i) => ms / perOrg(10_000)[i]!),
          { target: '<= 1.3' },
        ),
        metric(
          'per org: 100,000 / 10,000 orgs (same round)',
          'x',
          perOrg(100_000).map((ms, i) => ms / perOrg(10_000)[i]!),
          { target: '<= 1.3' },
        ),
      ];
    } finally {
      for (const f of fleets) {
        await f.store.close();
        await f.pool.end();
      }
    }
  },
};

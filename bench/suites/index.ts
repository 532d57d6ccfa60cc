import type { Suite } from '../harness.js';
import { commandHistory } from './command-history.js';
import { eventStoreAppend } from './event-store-append.js';
import { fleetSweep } from './fleet-sweep/suite.js';
import { fleetSweepIncremental } from './fleet-sweep-incremental.js';
import { fleetSweepPartitions } from './fleet-sweep-partitions.js';
import { fleetSweepScale } from './fleet-sweep-scale.js';
import { httpLargePrincipal, httpOpportunities } from './http-opportunities.js';
import { projectionCatchUp } from './projection-catch-up.js';
import { rebuild1m } from './rebuild-1m/suite.js';
import { upliftReport } from './uplift-report.js';

/** Every benchmark suite, in the order `npm run bench` runs them. */
export const suites: Suite[] = [
  eventStoreAppend,
  projectionCatchUp,
  rebuild1m,
  fleetSweep,
  fleetSweepPartitions,
  fleetSweepIncremental,
  fleetSweepScale,
  httpOpportunities,
  httpLargePrincipal,
  upliftReport,
  commandHistory,
];

import { sql } from '#database';
import { seedDemoData } from './demo-data.sql.js';
import { seedDemoHistory } from './effect/demo-history.js';
import type { Runtime } from './open-runtime.js';

/** How many demo orgs `npm start` creates on an empty database. */
export const DEMO_ORGS = 300;

export interface DemoState {
  /** True when this start loaded the demo data (the database had no organization). */
  readonly loaded: boolean;
  readonly organizations: number;
  /** "Demo org 1" (growing usage on tier 1), if there is one: the org the start banner points at. */
  readonly featuredOrgId: string | null;
  /** Orgs of the backdated experiment loaded by this start (0: none; the rules have no holdout). */
  readonly historyOrgs: number;
}

/**
 * On an empty database (and `load`): DEMO_ORGS demo orgs with 60 days of usage; the scheduler's
 * first run (started after this) sweeps them, so opportunities open and actions wait for MAOS.
 * Under a rule set with holdouts, also the backdated experiment of seedDemoHistory, which that
 * first run observes, so the uplift report has a result on first start.
 * On a database with organizations it changes nothing and says what is there.
 */
export async function prepareDemo(
  runtime: Pick<Runtime, 'pool' | 'deps' | 'store' | 'runner'>,
  options: { readonly load: boolean; readonly historyOrgs?: number },
): Promise<DemoState> {
  const organizations = Number(await runtime.pool.oneFirst(sql.unsafe`SELECT count(*) FROM organizations`));
  if (organizations > 0 || !options.load)
    return { loaded: false, organizations, featuredOrgId: await featuredOrg(runtime), historyOrgs: 0 };
  const asOf = runtime.deps.clock.now();
  // With holdouts, first the backdated experiment (its sweep of 45 days ago must not see the live orgs),
  // then the read models caught up with it, so the first scheduled run observes its outcomes.
  const history = runtime.deps.ruleSet.holdouts ? await seedDemoHistory(runtime.deps, asOf, { orgs: options.historyOrgs }) : { orgs: 0 };
  if (history.orgs > 0) {
    const head = await runtime.store.committedHead();
    if (head) await runtime.runner.waitForAll(head, 60_000);
  }
  // One transaction (a fraction of a second): a stop during the load leaves no half demo behind.
  await seedDemoData(runtime.pool, DEMO_ORGS, asOf, { firstNumber: 1 });
  return { loaded: true, organizations: DEMO_ORGS + history.orgs, featuredOrgId: await featuredOrg(runtime), historyOrgs: history.orgs };
}

async function featuredOrg(runtime: Pick<Runtime, 'pool'>): Promise<string | null> {
  return (await runtime.pool.maybeOneFirst(sql.unsafe`SELECT id FROM organizations WHERE name = 'Demo org 1' LIMIT 1`)) as string | null;
}

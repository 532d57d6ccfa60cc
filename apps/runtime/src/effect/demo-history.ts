import { sql, type CommonQueryMethods } from '#database';
import { executeOnOrgs, SweepFleet, SweepFleetHandler, type CommandMeta, type RevenueDeps } from '#revenue-commands';
import {
  decide,
  evolve,
  holdoutBucket,
  OPPORTUNITY_TYPES,
  type DecideContext,
  type OpportunityType,
  type RevenueAccountState,
  type RevenueEvent,
} from '#revenue';
import { DEMO_OWNER_ID } from '../demo-data.sql.js';

/**
 * A backdated experiment for the demo: orgs detected `detectedDaysAgo` days ago under the rules
 * with holdouts, their treated actions approved by the demo operator and sent, and afterwards, in
 * the platform's own tables, conversions planted at a known rate per arm, so the first scheduled
 * run observes them and the uplift report shows a real result on first start. Everything goes
 * through the real path (the fleet sweep with a moved clock, domain commands, the platform
 * tables); only the clock and the platform's data are made up.
 */
export interface DemoHistoryOptions {
  /**
   * Orgs "Demo history org <n>", one play each in turn; their ids derive from n, so the arms (and
   * the report) are the same on every machine. Default 6,000: at least 100 held out per play.
   */
  readonly orgs?: number | undefined;
  /** Default 45: the observation windows (30 days) closed 15 days ago. */
  readonly detectedDaysAgo?: number;
  /** The planted conversion rates (defaults 0.30 treated, 0.15 control: +15 points). */
  readonly rates?: { readonly treatment: number; readonly control: number };
}

export const DEMO_HISTORY_ORGS = 6_000;
export const DEMO_HISTORY_RATES = { treatment: 0.3, control: 0.15 } as const;

const DAY_MS = 86_400_000;
const OPERATOR: CommandMeta = { actor: { kind: 'service', id: 'demo-operator' }, correlationId: '00000000-0000-4000-8000-00000000d3e1' };

/**
 * What each play's orgs look like before detection: one usage row per 30-day window (20 and 45
 * days before it, so today's windows see none of them), and a wallet that fires only that play.
 */
const PLAYS: Record<OpportunityType, { tier: number; balance: number; previous: [number, number]; recent: [number, number] }> = {
  upsell: { tier: 1, balance: 1_000, previous: [60_000, 10], recent: [60_000, 10] },
  cross_sell: { tier: 3, balance: 1_000, previous: [30_000, 0], recent: [30_000, 0] },
  feature_expansion: { tier: 3, balance: 1_000, previous: [20_000, 5], recent: [40_000, 5] },
  retention_intervention: { tier: 2, balance: 1_000, previous: [20_000, 5], recent: [5_000, 1] },
  credit_marketplace_offer: { tier: 3, balance: 1, previous: [10_000, 5], recent: [10_000, 5] },
};

/** A uniform draw in [0, 1) fixed by the org: the same demo on every machine, independent of the arm's hash. */
const draw = (orgId: string) => holdoutBucket(orgId, 'demo-history-conversion');

export async function seedDemoHistory(deps: RevenueDeps, asOf: Date, options: DemoHistoryOptions = {}): Promise<{ orgs: number }> {
  const count = options.orgs ?? DEMO_HISTORY_ORGS;
  const rates = options.rates ?? DEMO_HISTORY_RATES;
  const detectedAt = new Date(asOf.getTime() - (options.detectedDaysAgo ?? 45) * DAY_MS);
  const at = (days: number) => new Date(detectedAt.getTime() + days * DAY_MS).toISOString();
  const plays = OPPORTUNITY_TYPES;
  const orgs = await deps.pool.transaction(async (tx) => {
    const rows = (await tx.any(sql.unsafe`
      INSERT INTO organizations (id, name)
      SELECT md5('demo-history-org-' || n)::uuid, 'Demo history org ' || n FROM generate_series(1, ${count}::int) AS n
      RETURNING id, substring(name FROM 18)::int AS n`)) as ReadonlyArray<{ id: string; n: number }>;
    const withPlay = rows.map((r) => ({ id: r.id, play: plays[(r.n - 1) % plays.length]! }));
    const values = withPlay.map(({ id, play }) => [id, PLAYS[play].tier, PLAYS[play].balance]);
    await tx.query(sql.unsafe`
      INSERT INTO token_wallets (org_id, tier, balance) SELECT * FROM ${sql.unnest(values, ['uuid', 'int4', 'numeric'])}`);
    await tx.query(sql.unsafe`
      INSERT INTO user_organizations (user_id, org_id, role)
      SELECT ${DEMO_OWNER_ID}::uuid, id, 'owner' FROM unnest(${sql.array(
        rows.map((r) => r.id),
        'uuid',
      )}) AS id`);
    const usage = withPlay.flatMap(({ id, play }): UsageRow[] => {
      const p = PLAYS[play];
      return [
        [id, at(-45), p.previous[0], p.previous[1]],
        [id, at(-20), p.recent[0], p.recent[1]],
      ];
    });
    await insertUsage(tx, usage);
    return withPlay;
  });

  // Detection (and proposals for the treated) as the sweep decided them that day.
  const then = (days: number): RevenueDeps => ({ ...deps, channels: {}, clock: { now: () => new Date(at(days)) } });
  await new SweepFleetHandler(then(0)).execute(new SweepFleet(OPERATOR));

  // The operator approves each proposal an hour later and MAOS reports it sent.
  const held = new Map<string, boolean>();
  await forEachOrgPage(
    then(1 / 24),
    orgs.map((o) => o.id),
    (state, ctx) => {
      // The arm each org was given at detection, as its stream recorded it.
      for (const o of Object.values(state.opportunities)) if (o.experiment) held.set(state.orgId!, o.experiment.arm === 'control');
      let current = state;
      const events: RevenueEvent[] = [];
      for (const action of Object.values(state.actions).filter((a) => a.status === 'proposed')) {
        for (const command of [
          { kind: 'ApproveAction', orgId: state.orgId!, actionId: action.id },
          { kind: 'RecordActionDispatch', orgId: state.orgId!, actionId: action.id, result: 'sent' },
        ] as const) {
          for (const event of decide(command, current, ctx)) {
            events.push(event);
            current = evolve(current, event);
          }
        }
      }
      return events;
    },
  );

  // What the platform saw over the next 30 days: a conversion at the planted rate of the org's arm.
  const converted = new Set(orgs.filter(({ id }) => draw(id) < (held.get(id) ? rates.control : rates.treatment)).map((o) => o.id));
  await deps.pool.transaction(async (tx) => {
    const usage = orgs.flatMap(({ id, play }) => afterUsage(id, play, converted.has(id), at));
    await insertUsage(tx, usage);
    const upgraded = orgs.filter((o) => o.play === 'upsell' && converted.has(o.id)).map((o) => o.id);
    // A backfill of tier history: the trigger of migration 116 records the change at this instant.
    await tx.query(sql.unsafe`SELECT set_config('revenue_engine.tier_changed_at', ${at(10)}, true)`);
    await tx.query(sql.unsafe`UPDATE token_wallets SET tier = tier + 1 WHERE org_id = ANY(${sql.array(upgraded, 'uuid')})`);
    const buyers = orgs.filter((o) => o.play === 'credit_marketplace_offer' && converted.has(o.id)).map((o) => o.id);
    await tx.query(sql.unsafe`
      INSERT INTO credit_purchases (org_id, credits, amount, purchased_at)
      SELECT id, 20, 20, ${at(5)}::timestamptz FROM unnest(${sql.array(buyers, 'uuid')}) AS id`);
    await tx.query(sql.unsafe`UPDATE token_wallets SET balance = balance + 20 WHERE org_id = ANY(${sql.array(buyers, 'uuid')})`);
  });

  // The channels' reports at the window's end: accepted where the org converted, declined elsewhere.
  await forEachOrgPage(
    then(30),
    orgs.map((o) => o.id),
    (state, ctx) =>
      Object.values(state.actions)
        .filter((a) => a.status === 'sent')
        .flatMap((a) =>
          decide(
            {
              kind: 'RecordActionOutcome',
              orgId: state.orgId!,
              actionId: a.id,
              outcome: converted.has(state.orgId!) ? 'accepted' : 'declined',
            },
            state,
            ctx,
          ),
        ),
  );
  return { orgs: orgs.length };
}

/**
 * Usage after detection, one row in the window: where the org converted, the usage its play's
 * definition counts, and in every case a level at which no rule fires any more today (the live
 * sweep closes these opportunities as expired instead of queueing thousands of new proposals).
 */
function afterUsage(
  id: string,
  play: OpportunityType,
  converted: boolean,
  at: (days: number) => string,
): Array<[string, string, number, number]> {
  switch (play) {
    case 'upsell':
      return [[id, at(20), 40_000, 10]];
    case 'cross_sell':
      return [[id, at(20), 20_000, converted ? 120 : 0]];
    case 'feature_expansion':
      return [[id, at(20), converted ? 45_000 : 25_000, 5]];
    case 'retention_intervention':
      return [[id, at(20), converted ? 20_000 : 4_000, 1]];
    case 'credit_marketplace_offer':
      return [[id, at(20), 1_000, 0]];
  }
}

/** token_usage rows: org, period start, text tokens, voice seconds. */
type UsageRow = readonly [string, string, number, number];

async function insertUsage(tx: CommonQueryMethods, rows: readonly UsageRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(sql.unsafe`
    INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used)
    SELECT * FROM ${sql.unnest(
      rows.map((r) => [...r]),
      ['uuid', 'timestamptz', 'int8', 'int8'],
    )}`);
}

async function forEachOrgPage(
  deps: RevenueDeps,
  orgIds: readonly string[],
  decision: (state: RevenueAccountState, ctx: DecideContext) => RevenueEvent[],
): Promise<void> {
  for (let start = 0; start < orgIds.length; start += 1_000) {
    const page = orgIds.slice(start, start + 1_000);
    await executeOnOrgs(deps, new Map(page.map((id) => [id, decision])), 'DemoHistory', OPERATOR);
  }
}

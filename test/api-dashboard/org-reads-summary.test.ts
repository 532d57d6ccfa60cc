import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { ACTION_STATUSES, defaultRuleSet, OPPORTUNITY_TYPES } from '#revenue';
import { call } from '../api-platform/harness.js';
import { serviceToken, userToken } from '../support/tokens.js';
import { addMember, type RevenueApi, seedGrowingOrg, startRevenueApi } from '../api-revenue/support/revenue-api.js';

interface Opportunity {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly confidence: number;
}
interface Action {
  readonly id: string;
  readonly status: string;
  readonly actionType: string;
  readonly creditsReserved: number;
  readonly creditsCharged: number;
}
interface Summary {
  readonly potentialMRR: number;
  readonly potentialMRRByType: Record<string, number>;
  readonly openByType: Record<string, number>;
  readonly actionsByStatus: Record<string, number>;
  readonly acceptanceRate: number | null;
  readonly credits: { reserved: number; charged: number };
}

/** Ten-thousandths of a credit, the precision credits have (NUMERIC(14,4)). */
const units = (credits: number) => Math.round(credits * 10_000);
const cents = (amount: number) => Math.round(amount * 100);

/**
 * GET /api/revenue/summary against the other org reads over real HTTP and PostgreSQL: every
 * figure is recomputed here from what /opportunities, /expansion and /actions answer for the same
 * org, after each step of an action's life (proposed, approved, rejected, sent, accepted).
 */
describe('GET /api/revenue/summary', () => {
  let api: RevenueApi;
  let orgId: string;
  let token: string;
  let maos: string;
  let position: string;

  beforeAll(async () => {
    api = await startRevenueApi();
    const owner = randomUUID();
    orgId = await seedGrowingOrg(api.db);
    await addMember(api.db, owner, orgId, 'owner');
    token = await userToken(owner);
    maos = await serviceToken('maos:read maos:approve maos:dispatch');
    const analysis = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId });
    expect(analysis.status).toBe(200);
    position = analysis.headers.get('x-log-position')!;
    await read('/api/revenue/expansion');
    // Two more weighted types with confidences whose weighted cents do not come out even
    // (10 x 0.333 = 3.33, 5 x 0.777 = 3.885), and closed ones that must count nowhere.
    await api.db.pool.query(sql.unsafe`
      INSERT INTO revenue_opportunities (org_id, type, source, confidence, status)
      VALUES (${orgId}, 'cross_sell', 'test', 0.333, 'open'), (${orgId}, 'feature_expansion', 'test', 0.777, 'open'),
        (${orgId}, 'upsell', 'test', 0.9, 'lost'), (${orgId}, 'retention_intervention', 'test', 0.9, 'won')`);
  });
  afterAll(async () => api?.close());

  /** A read that includes the last write (X-Min-Position). */
  async function read(path: string, as: string = token): Promise<Record<string, unknown>> {
    const reply = await call(api, path, { token: as, orgId, headers: { 'x-min-position': position } });
    expect([path, reply.status]).toEqual([path, 200]);
    return reply.body;
  }

  /** Every opportunity of the org, walking the pages of /opportunities. */
  async function allOpportunities(): Promise<Opportunity[]> {
    const all: Opportunity[] = [];
    let cursor: string | null = null;
    do {
      const page = await read(`/api/revenue/opportunities?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...(page.opportunities as Opportunity[]));
      cursor = page.nextCursor as string | null;
    } while (cursor);
    return all;
  }

  /** The summary as the other reads imply it. */
  async function expectedSummary(): Promise<Summary> {
    const opportunities = await allOpportunities();
    const actions = (
      await Promise.all(opportunities.map(async (o) => (await read(`/api/revenue/actions/${o.id}`)).actions as Action[]))
    ).flat();
    const open = opportunities.filter((o) => o.status === 'open');
    const weights: Record<string, number> = { ...defaultRuleSet.expansion.mrrWeights };
    const exactByType = Object.fromEntries(
      ['upsell', 'cross_sell', 'feature_expansion'].map((t) => [
        t,
        open.filter((o) => o.type === t).reduce((sum, o) => sum + (weights[t] ?? 0) * o.confidence, 0),
      ]),
    );
    const count = <T>(items: readonly T[], keys: readonly string[], key: (item: T) => string) =>
      Object.fromEntries(keys.map((k) => [k, items.filter((i) => key(i) === k).length]));
    const byStatus = count(actions, ACTION_STATUSES, (a) => a.status);
    const decided = byStatus.accepted! + byStatus.declined!;
    const expansion = (await read('/api/revenue/expansion')).expansion as { potentialMRR: number };
    return {
      potentialMRR: expansion.potentialMRR,
      // Rounded per type here; the summary's parts may differ by a cent so that they add up (checked below).
      potentialMRRByType: Object.fromEntries(Object.entries(exactByType).map(([t, v]) => [t, Math.round(v * 100) / 100])),
      openByType: count(open, OPPORTUNITY_TYPES, (o) => o.type),
      actionsByStatus: byStatus,
      acceptanceRate: decided === 0 ? null : byStatus.accepted! / decided,
      credits: {
        reserved:
          actions.filter((a) => a.status === 'proposed' || a.status === 'approved').reduce((s, a) => s + units(a.creditsReserved), 0) /
          10_000,
        charged: actions.reduce((s, a) => s + units(a.creditsCharged), 0) / 10_000,
      },
    };
  }

  async function expectConsistent(): Promise<Summary> {
    const reply = await read('/api/revenue/summary');
    expect(Object.keys(reply)).toEqual(['success', 'summary']);
    const summary = reply.summary as Summary;
    const expected = await expectedSummary();
    expect({ ...summary, potentialMRRByType: undefined }).toEqual({ ...expected, potentialMRRByType: undefined });
    expect(Object.keys(summary.potentialMRRByType).sort()).toEqual(['cross_sell', 'feature_expansion', 'upsell']);
    // The parts add up to the total to the cent, and each is its exact share rounded, give or take the cent that makes them add up.
    expect(Object.values(summary.potentialMRRByType).reduce((s, v) => s + cents(v), 0)).toBe(cents(summary.potentialMRR));
    for (const [type, value] of Object.entries(summary.potentialMRRByType)) {
      expect([type, Math.abs(cents(value) - cents(expected.potentialMRRByType[type]!)) <= 1]).toEqual([type, true]);
    }
    // A service with maos:read reads the same figures.
    expect((await read('/api/revenue/summary', await serviceToken('maos:read'))).summary).toEqual(summary);
    return summary;
  }

  async function command(actionId: string, verb: string, body?: unknown): Promise<void> {
    const reply = await call(api, `/api/maos/actions/${actionId}/${verb}`, {
      method: 'POST',
      token: maos,
      headers: { 'idempotency-key': `${verb}-${actionId}` },
      ...(body ? { body } : {}),
    });
    expect([verb, reply.status]).toEqual([verb, 200]);
    position = reply.headers.get('x-log-position')!;
  }

  async function actionsNow(): Promise<Action[]> {
    const opportunities = await allOpportunities();
    return (await Promise.all(opportunities.map(async (o) => (await read(`/api/revenue/actions/${o.id}`)).actions as Action[]))).flat();
  }

  it('after the analysis: proposed actions hold their credits, nothing charged, no acceptance rate yet', async () => {
    const summary = await expectConsistent();
    expect(summary.actionsByStatus.proposed).toBeGreaterThanOrEqual(2);
    expect(summary.credits).toEqual({ reserved: summary.actionsByStatus.proposed! * 0.02, charged: 0 });
    expect(summary.acceptanceRate).toBeNull();
    // 15 x 0.85 + 10 x 0.333 + 5 x 0.777 = 19.965 -> 19.97; the parts 12.75 + 3.33 + 3.89 (3.885 takes the spare cent).
    expect(summary.potentialMRR).toBe(19.97);
    expect(summary.potentialMRRByType).toEqual({ upsell: 12.75, cross_sell: 3.33, feature_expansion: 3.89 });
    expect(summary.openByType).toEqual({
      upsell: 1,
      cross_sell: 1,
      feature_expansion: 1,
      retention_intervention: 0,
      credit_marketplace_offer: 1,
    });
  });

  it('after an approval and a rejection: the rejected action releases its credits, the approved one keeps them', async () => {
    const [first, second] = (await actionsNow()).filter((a) => a.status === 'proposed');
    await command(first!.id, 'approve');
    await command(second!.id, 'reject', { reason: 'not this month' });
    const summary = await expectConsistent();
    expect(summary.actionsByStatus).toMatchObject({ approved: 1, rejected: 1 });
    expect(summary.credits.reserved).toBe(0.02 * (summary.actionsByStatus.proposed! + 1));
  });

  it('after a dispatch and an outcome: the charge comes from the ledger, the acceptance rate is accepted / decided', async () => {
    const approved = (await actionsNow()).find((a) => a.status === 'approved')!;
    await command(approved.id, 'dispatch', { result: 'sent' });
    let summary = await expectConsistent();
    expect(summary.credits.charged).toBe(0.02);
    expect(await api.db.pool.oneFirst(sql.unsafe`SELECT sum(amount)::float8 FROM credit_ledger WHERE org_id = ${orgId}`)).toBe(0.02);
    await command(approved.id, 'outcome', { outcome: 'accepted' });
    summary = await expectConsistent();
    expect([summary.actionsByStatus.accepted, summary.acceptanceRate]).toEqual([1, 1]);
  });

  it('an org with nothing yet: zeros everywhere and a null acceptance rate', async () => {
    const empty = randomUUID();
    const owner = randomUUID();
    await api.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${empty}, 'empty')`);
    await addMember(api.db, owner, empty, 'admin');
    const reply = await call(api, '/api/revenue/summary', { token: await userToken(owner), orgId: empty });
    expect(reply.body).toEqual({
      success: true,
      summary: {
        potentialMRR: 0,
        potentialMRRByType: { upsell: 0, cross_sell: 0, feature_expansion: 0 },
        openByType: Object.fromEntries(OPPORTUNITY_TYPES.map((t) => [t, 0])),
        actionsByStatus: Object.fromEntries(ACTION_STATUSES.map((s) => [s, 0])),
        acceptanceRate: null,
        credits: { reserved: 0, charged: 0 },
      },
    });
  });

  it('is documented with its figures', async () => {
    const doc = (await call(api, '/api/docs-json')).body as {
      paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.paths['/api/revenue/summary']?.get?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '503']),
    );
    expect(Object.keys(doc.components.schemas.SummaryDto!.properties).sort()).toEqual(
      ['acceptanceRate', 'actionsByStatus', 'credits', 'openByType', 'potentialMRR', 'potentialMRRByType'].sort(),
    );
  });
});

import { randomUUID } from 'node:crypto';
import { withMetadata, type EventStore, type RecordedEvent } from '#event-store';
import {
  ACTION_STATUSES,
  OPPORTUNITY_TYPES,
  defaultRuleSet,
  revenueStreamName,
  type ActionStatus,
  type OpportunityType,
  type RevenueEvent,
} from '#revenue';

/*
 * Generated revenue histories for the revenue-daily projection (test/api-dashboard/series-*,
 * test/projections/revenue-daily-*), and the series computed from the events by a plain fold,
 * independently of the projection's SQL.
 */

export const DAY_MS = 86_400_000;
export const dayOf = (iso: string) => iso.slice(0, 10);

/** A small seeded PRNG (mulberry32), so the generated history is the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type Timed = { readonly at: Date; readonly event: RevenueEvent };

/**
 * A history of one org that the domain could have written: one open opportunity per type at a
 * time (detected, refreshed, closed), actions proposed on open ones and moved through approval,
 * rejection, expiry, delivery and outcome. Days with nothing happening are left in between, and
 * events sit right at the edges of UTC days. One list per day (appended as one transaction).
 */
export function generateHistory(orgId: string, options: { readonly seed: number; readonly days: number; readonly today: Date }): Timed[][] {
  const { seed, days, today } = options;
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const confidence = () => Math.round((0.5 + random() * 0.49) * 100) / 100;
  const open = new Map<OpportunityType, string>();
  const actions: Array<{ actionId: string; opportunityId: string; opportunityType: OpportunityType; status: ActionStatus }> = [];
  const history: Timed[][] = [];
  const base = { ruleSetVersion: defaultRuleSet.version, details: {}, evidence: {} };
  for (let back = days - 1; back >= 0; back--) {
    const day: Timed[] = [];
    history.push(day);
    if (back % 5 === 2) continue; // a quiet day
    const start = Date.parse(`${dayOf(new Date(today.getTime() - back * DAY_MS).toISOString())}T00:00:00.000Z`);
    const count = 4 + Math.floor(random() * 10);
    const times = Array.from({ length: count }, (_, i) =>
      i === 0 ? start : i === count - 1 ? start + DAY_MS - 1 : start + Math.floor(random() * DAY_MS),
    ).sort((x, y) => x - y);
    for (const t of times) {
      const at = new Date(t);
      const iso = at.toISOString();
      const closed = OPPORTUNITY_TYPES.filter((type) => !open.has(type));
      const opened = [...open.entries()];
      const choices: Array<() => RevenueEvent | null> = [];
      if (closed.length)
        choices.push(() => {
          const opportunityType = pick(closed);
          const opportunityId = randomUUID();
          open.set(opportunityType, opportunityId);
          return {
            type: 'revenue.opportunity-detected.v1',
            data: { ...base, orgId, opportunityId, opportunityType, source: 'test', confidence: confidence(), detectedAt: iso },
          };
        });
      if (opened.length) {
        const [opportunityType, opportunityId] = pick(opened);
        choices.push(
          () => ({
            type: 'revenue.opportunity-refreshed.v1',
            data: { ...base, orgId, opportunityId, opportunityType, source: 'test', confidence: confidence(), refreshedAt: iso },
          }),
          () => ({
            type: 'revenue.opportunity-refreshed.v1',
            data: { ...base, orgId, opportunityId, opportunityType, source: 'test', confidence: confidence(), refreshedAt: iso },
          }),
          () => {
            open.delete(opportunityType);
            return {
              type: 'revenue.opportunity-closed.v1',
              data: { orgId, opportunityId, opportunityType, outcome: 'lost', reason: 'test', actionId: null, closedAt: iso },
            };
          },
          () => {
            const actionId = randomUUID();
            actions.push({ actionId, opportunityId, opportunityType, status: 'proposed' });
            return {
              type: 'revenue.action-proposed.v1',
              data: {
                orgId,
                actionId,
                opportunityId,
                opportunityType,
                actionType: 'send_email',
                confidence: 0.8,
                creditsReserved: 0.02,
                ruleSetVersion: defaultRuleSet.version,
                proposedAt: iso,
              },
            };
          },
        );
      }
      const movable = actions.filter((a) => ['proposed', 'approved', 'sent'].includes(a.status));
      if (movable.length)
        choices.push(() => {
          const action = pick(movable);
          const ref = { orgId, actionId: action.actionId, opportunityId: action.opportunityId };
          const step = (status: ActionStatus, event: RevenueEvent): RevenueEvent => ((action.status = status), event);
          if (action.status === 'proposed')
            return pick([
              () => step('approved', { type: 'revenue.action-approved.v1', data: { ...ref, approvedAt: iso } }),
              () =>
                step('rejected', {
                  type: 'revenue.action-rejected.v1',
                  data: { ...ref, reason: 'no', creditsReleased: 0.02, rejectedAt: iso },
                }),
              () =>
                step('expired', {
                  type: 'revenue.action-expired.v1',
                  data: { ...ref, reason: 'old', creditsReleased: 0.02, expiredAt: iso },
                }),
            ])();
          if (action.status === 'approved')
            return pick([
              () => step('sent', { type: 'revenue.action-sent.v1', data: { ...ref, creditsCharged: 0.02, sentAt: iso } }),
              () =>
                step('failed', {
                  type: 'revenue.action-failed.v1',
                  data: { ...ref, reason: 'down', creditsReleased: 0.02, failedAt: iso },
                }),
            ])();
          const outcome = pick(['accepted', 'declined'] as const);
          return step(outcome, { type: 'revenue.action-outcome-recorded.v1', data: { ...ref, outcome, recordedAt: iso } });
        });
      const event = pick(choices)();
      if (event) day.push({ at, event });
    }
  }
  return history;
}

export async function appendHistory(store: EventStore, orgId: string, history: readonly Timed[][]): Promise<void> {
  for (const day of history) {
    if (day.length === 0) continue;
    const events = day.flatMap(({ at, event }) =>
      withMetadata([event], { command: 'SeriesTest', actor: { kind: 'system', id: 'series-test' }, correlationId: randomUUID(), now: at }),
    );
    await store.append(revenueStreamName(orgId), events, 'any');
  }
}

export interface ExpectedDay {
  day: string;
  detected: Record<OpportunityType, number>;
  potentialMRR: number;
  funnel: Record<ActionStatus, number>;
}

export const zeroCounts = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/**
 * The series computed here, independently of the projection: replay the org's events in order,
 * keeping the open opportunities and their confidence; potential MRR at the end of a day is the
 * expansion over what is open then, in integer cents (weight x confidence has two decimals).
 */
export function foldSeries(events: readonly RecordedEvent[], from: string, to: string): ExpectedDay[] {
  const weights = defaultRuleSet.expansion.mrrWeights as Partial<Record<string, number>>;
  const open = new Map<string, { type: string; confidence: number }>();
  const byDay = new Map<string, ExpectedDay>();
  const cents = () => [...open.values()].reduce((sum, o) => sum + (weights[o.type] ?? 0) * Math.round(o.confidence * 100), 0);
  const dayEntry = (day: string) => {
    const entry = byDay.get(day) ?? {
      day,
      detected: zeroCounts(OPPORTUNITY_TYPES),
      potentialMRR: 0,
      funnel: zeroCounts(ACTION_STATUSES),
    };
    byDay.set(day, entry);
    return entry;
  };
  const endOfDay = new Map<string, number>();
  for (const recorded of events) {
    const event = recorded as unknown as RevenueEvent;
    const day = dayOf(recorded.metadata.occurredAt);
    const entry = dayEntry(day);
    switch (event.type) {
      case 'revenue.opportunity-detected.v1':
        entry.detected[event.data.opportunityType] += 1;
        open.set(event.data.opportunityId, { type: event.data.opportunityType, confidence: event.data.confidence });
        break;
      case 'revenue.opportunity-refreshed.v1': {
        const o = open.get(event.data.opportunityId);
        if (o) o.confidence = event.data.confidence;
        break;
      }
      case 'revenue.opportunity-closed.v1':
        open.delete(event.data.opportunityId);
        break;
      case 'revenue.action-proposed.v1':
        entry.funnel.proposed += 1;
        break;
      case 'revenue.action-approved.v1':
        entry.funnel.approved += 1;
        break;
      case 'revenue.action-rejected.v1':
        entry.funnel.rejected += 1;
        break;
      case 'revenue.action-sent.v1':
        entry.funnel.sent += 1;
        break;
      case 'revenue.action-failed.v1':
        entry.funnel.failed += 1;
        break;
      case 'revenue.action-expired.v1':
        entry.funnel.expired += 1;
        break;
      case 'revenue.action-outcome-recorded.v1':
        entry.funnel[event.data.outcome] += 1;
        break;
      default:
        break;
    }
    endOfDay.set(day, cents());
  }
  const result: ExpectedDay[] = [];
  let carried = 0;
  for (const [day, value] of [...endOfDay].sort(([a], [b]) => (a < b ? -1 : 1))) if (day < from) carried = value;
  for (let t = Date.parse(`${from}T00:00:00.000Z`); dayOf(new Date(t).toISOString()) <= to; t += DAY_MS) {
    const day = dayOf(new Date(t).toISOString());
    carried = endOfDay.get(day) ?? carried;
    result.push({ ...dayEntry(day), potentialMRR: carried / 100 });
  }
  return result;
}

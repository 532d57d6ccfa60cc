import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  comparePositions,
  formatPosition,
  parsePosition,
  WrongExpectedRevisionError,
  withMetadata,
  type LogPosition,
  type StreamAppend,
} from '#event-store';
import {
  OPPORTUNITY_TYPES,
  detectors,
  orgIdFromStreamName,
  revenueStreamName,
  type Detection,
  type DecideContext,
  type UsageSummary,
} from '#revenue';
import { recordDetections } from '../detect-opportunities/detect-and-record.js';
import { executeOnOrg } from '../org-command.js';
import { loadUsageSummaries } from '../inputs/usage-summaries.sql.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { loadOrgSnapshots, snapshotOf } from './read-model-snapshot.sql.js';
import { SweepFleet, type SweepResult } from './sweep-fleet.command.js';

type Totals = { -readonly [K in keyof SweepResult]: SweepResult[K] } & { last: LogPosition | null };

/**
 * One usage aggregate for the whole fleet; then per page of orgs: one read-model snapshot query, the pure decision per org,
 * one appendMany. An org whose snapshot was stale (or that another writer touched) gets a
 * WrongExpectedRevisionError and is decided again from its own stream, so the sweep is safe
 * to run concurrently with itself and with per-org analyses.
 */
@CommandHandler(SweepFleet)
export class SweepFleetHandler implements ICommandHandler<SweepFleet, SweepResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  async execute({ meta, pageSize }: SweepFleet): Promise<SweepResult> {
    const totals: Totals = { orgs: 0, detections: 0, orgsChanged: 0, eventsAppended: 0, conflictsRetried: 0, position: null, last: null };
    const asOf = this.deps.clock.now();
    // One aggregate over the whole fleet's usage (a single pass over token_usage) is several times
    // cheaper than one per page; the summaries (a few hundred bytes per org) are then paged in memory.
    const usage = await loadUsageSummaries(this.deps.pool, asOf, this.deps.ruleSet, null);
    for (let start = 0; start < usage.length; start += pageSize) {
      await this.sweepPage(usage.slice(start, start + pageSize), asOf, meta, totals);
    }
    const { last, ...result } = totals;
    return { ...result, position: last ? formatPosition(last) : null };
  }

  private async sweepPage(usage: readonly UsageSummary[], asOf: Date, meta: SweepFleet['meta'], totals: Totals): Promise<void> {
    const snapshots = await loadOrgSnapshots(
      this.deps.pool,
      usage.map((u) => u.orgId),
    );
    const ctx: DecideContext = { now: asOf, ruleSet: this.deps.ruleSet, newId: () => randomUUID() };
    const commandCtx = {
      command: SweepFleet.commandName,
      ...meta,
      causationId: meta.causationId ?? null,
      ruleSetVersion: this.deps.ruleSet.version,
      now: asOf,
    };
    const detectionsByOrg = new Map<string, Detection[]>();
    const appends: StreamAppend[] = [];
    const fromStream: string[] = [];
    for (const summary of usage) {
      const detections = OPPORTUNITY_TYPES.flatMap((type) => detectors[type](summary, this.deps.ruleSet) ?? []);
      totals.orgs++;
      totals.detections += detections.length;
      const { state, revision } = snapshotOf(snapshots, summary.orgId);
      if (detections.length === 0 && Object.keys(state.openOpportunityByType).length === 0) continue;
      detectionsByOrg.set(summary.orgId, detections);
      const events = recordDetections(summary.orgId, detections, OPPORTUNITY_TYPES)(state, ctx);
      // The snapshot holds open opportunities, not actions: closing one must expire its waiting
      // actions, so that org is decided from its stream instead.
      if (events.some((e) => e.type === 'revenue.opportunity-closed.v1')) fromStream.push(summary.orgId);
      else if (events.length)
        appends.push({
          streamName: revenueStreamName(summary.orgId),
          events: withMetadata(events, commandCtx),
          expectedRevision: revision,
        });
    }
    const results = appends.length ? await this.deps.store.appendMany(appends) : [];
    results.forEach((result, i) => {
      if (!(result instanceof WrongExpectedRevisionError)) return this.count(totals, appends[i]!.events.length, result.position);
      totals.conflictsRetried++;
      fromStream.push(orgIdFromStreamName(appends[i]!.streamName)!);
    });
    for (const orgId of fromStream) {
      const retried = await executeOnOrg(
        this.deps,
        orgId,
        SweepFleet.commandName,
        meta,
        recordDetections(orgId, detectionsByOrg.get(orgId) ?? [], OPPORTUNITY_TYPES),
      );
      if (retried.position) this.count(totals, retried.events.length, parsePosition(retried.position));
    }
  }

  private count(totals: Totals, events: number, position: LogPosition | null): void {
    totals.orgsChanged++;
    totals.eventsAppended += events;
    if (position && (!totals.last || comparePositions(position, totals.last) > 0)) totals.last = position;
  }
}

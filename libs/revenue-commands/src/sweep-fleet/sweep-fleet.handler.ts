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
import { availableCreditsOfOrgs } from '../inputs/available-credits.sql.js';
import { loadUsageSummaries } from '../inputs/usage-summaries.sql.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { recordThenTrigger, triggerActions, triggerWithCredits, type OrgDecision } from '../trigger-actions/trigger-actions.handler.js';
import {
  advanceSweepWindows,
  finishRun,
  IncrementalSweepUnavailableError,
  loadSweepSummaries,
  markDecided,
  type SweepRun,
} from './incremental-sweep.sql.js';
import { loadOrgSnapshots, snapshotOf, type OrgSnapshot } from './read-model-snapshot.sql.js';
import { SweepFleet, type IncrementalSweepOptions, type SweepResult } from './sweep-fleet.command.js';

type Totals = { -readonly [K in keyof SweepResult]: SweepResult[K] } & { last: LogPosition | null };

/** An org of the page with something to decide: detections, or open opportunities to expire or action. */
interface Candidate {
  readonly orgId: string;
  readonly detections: readonly Detection[];
  readonly snapshot: OrgSnapshot;
}

/**
 * One usage aggregate for the whole fleet (or, incremental, the sums kept for the orgs marked as
 * changed, see incremental-sweep.sql.ts); then per page of orgs: one read-model snapshot query,
 * one wallet query, the pure decision per org (detection, then the trigger decision on the state
 * the detections leave, as RunFullAnalysis does), one appendMany. An org whose snapshot was stale
 * (or that another writer touched) gets a WrongExpectedRevisionError and is decided again from its
 * own stream, so the sweep is safe to run concurrently with itself and with per-org analyses, and
 * never reserves credits twice.
 */
@CommandHandler(SweepFleet)
export class SweepFleetHandler implements ICommandHandler<SweepFleet, SweepResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  async execute({ meta, pageSize, partition, incremental }: SweepFleet): Promise<SweepResult> {
    const totals: Totals = {
      orgs: 0,
      detections: 0,
      orgsChanged: 0,
      eventsAppended: 0,
      actionsProposed: 0,
      runsStopped: 0,
      conflictsRetried: 0,
      position: null,
      mode: 'full',
      fullReason: null,
      last: null,
    };
    // The one DecideContext of the sweep: every org is decided "now" = the sweep's start.
    const ctx: DecideContext = { now: this.deps.clock.now(), ruleSet: this.deps.ruleSet, newId: () => randomUUID() };
    const run = incremental ? await this.advance(ctx.now, incremental, totals) : null;
    if (run) {
      // The sums are the table's; each page's marks go once its decisions are appended.
      for (let after: string | null = null; ;) {
        const page = await loadSweepSummaries(this.deps.pool, run, ctx.now, after, pageSize);
        if (page.length === 0) break;
        await this.sweepPage(page, ctx, meta, totals);
        await markDecided(
          this.deps.pool,
          run,
          page.map((u) => u.orgId),
        );
        after = page.at(-1)!.orgId;
      }
      await finishRun(this.deps.pool, run);
    } else {
      // One aggregate over the whole fleet's usage (a single pass over token_usage) is several times
      // cheaper than one per page; the summaries (a few hundred bytes per org) are then paged in memory.
      const usage = await loadUsageSummaries(this.deps.pool, ctx.now, this.deps.ruleSet, null, partition);
      for (let start = 0; start < usage.length; start += pageSize) {
        await this.sweepPage(usage.slice(start, start + pageSize), ctx, meta, totals);
      }
    }
    const { last, ...result } = totals;
    return { ...result, position: last ? formatPosition(last) : null };
  }

  /** The incremental run's start; null (a plain full sweep, and the result says why) where the platform's tables have no change capture. */
  private async advance(now: Date, options: IncrementalSweepOptions, totals: Totals): Promise<SweepRun | null> {
    try {
      const run = await advanceSweepWindows(this.deps, now, this.deps.ruleSet, options);
      Object.assign(totals, { mode: run.mode, fullReason: run.fullReason });
      return run;
    } catch (error) {
      if (!(error instanceof IncrementalSweepUnavailableError)) throw error;
      totals.fullReason = error.message;
      return null;
    }
  }

  private async sweepPage(usage: readonly UsageSummary[], ctx: DecideContext, meta: SweepFleet['meta'], totals: Totals): Promise<void> {
    const snapshots = await loadOrgSnapshots(
      this.deps.pool,
      usage.map((u) => u.orgId),
      { arms: this.deps.ruleSet.holdouts !== undefined },
    );
    const candidates: Candidate[] = [];
    for (const summary of usage) {
      const detections = OPPORTUNITY_TYPES.flatMap((type) => detectors[type](summary, this.deps.ruleSet) ?? []);
      totals.orgs++;
      totals.detections += detections.length;
      const snapshot = snapshotOf(snapshots, summary.orgId);
      // Nothing detected and nothing open: nothing to refresh, expire or action.
      if (detections.length === 0 && Object.keys(snapshot.state.openOpportunityByType).length === 0) continue;
      candidates.push({ orgId: summary.orgId, detections, snapshot });
    }
    // Detections neither charge nor release credits, so the credits for the snapshot's state are
    // those for the state the trigger decides on.
    const credits = await availableCreditsOfOrgs(
      this.deps.pool,
      new Map(candidates.map((c) => [c.orgId, c.snapshot.state.creditsCharged])),
    );
    const commandCtx = {
      command: SweepFleet.commandName,
      ...meta,
      causationId: meta.causationId ?? null,
      ruleSetVersion: this.deps.ruleSet.version,
      now: ctx.now,
    };
    const appends: StreamAppend[] = [];
    const fromStream: string[] = [];
    for (const { orgId, detections, snapshot } of candidates) {
      const events = await this.decision(orgId, detections, triggerWithCredits(orgId, credits.get(orgId) ?? 0))(snapshot.state, ctx);
      // Closing an opportunity expires its waiting actions with their full history: that org is
      // decided from its stream instead.
      if (events.some((e) => e.type === 'revenue.opportunity-closed.v1')) fromStream.push(orgId);
      else if (events.length)
        appends.push({
          streamName: revenueStreamName(orgId),
          events: withMetadata(events, commandCtx),
          expectedRevision: snapshot.revision,
        });
    }
    const results = appends.length ? await this.deps.store.appendMany(appends) : [];
    results.forEach((result, i) => {
      if (!(result instanceof WrongExpectedRevisionError)) return this.count(totals, appends[i]!.events, result.position);
      totals.conflictsRetried++;
      fromStream.push(orgIdFromStreamName(appends[i]!.streamName)!);
    });
    const detectionsByOrg = new Map(candidates.map((c) => [c.orgId, c.detections]));
    for (const orgId of fromStream) {
      const decision = this.decision(orgId, detectionsByOrg.get(orgId) ?? [], triggerActions(this.deps, orgId));
      const retried = await executeOnOrg(this.deps, orgId, SweepFleet.commandName, meta, decision);
      if (retried.position) this.count(totals, retried.events, parsePosition(retried.position));
    }
  }

  /** RunFullAnalysis's decision, with the org's credits either read for the page or from the stream's state. */
  private decision(orgId: string, detections: readonly Detection[], trigger: OrgDecision): OrgDecision {
    return recordThenTrigger(recordDetections(orgId, detections, OPPORTUNITY_TYPES), trigger);
  }

  private count(totals: Totals, events: readonly { readonly type: string }[], position: LogPosition | null): void {
    totals.orgsChanged++;
    totals.eventsAppended += events.length;
    totals.actionsProposed += events.filter((e) => e.type === 'revenue.action-proposed.v1').length;
    totals.runsStopped += events.some((e) => e.type === 'revenue.action-run-stopped.v1') ? 1 : 0;
    if (position && (!totals.last || comparePositions(position, totals.last) > 0)) totals.last = position;
  }
}

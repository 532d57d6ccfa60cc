import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../revenue-deps.js';

export interface SweepResult {
  readonly orgs: number;
  readonly detections: number;
  /** Orgs whose stream got events. */
  readonly orgsChanged: number;
  readonly eventsAppended: number;
  /** Actions proposed (credits reserved) by the trigger decision that follows each org's detections. */
  readonly actionsProposed: number;
  /** Orgs whose trigger run stopped because their credits ran out (a `revenue.action-run-stopped.v1`). */
  readonly runsStopped: number;
  /** Orgs whose read-model snapshot was stale (or written concurrently): decided again from their stream. */
  readonly conflictsRetried: number;
  /** `<commit>-<prepare>` of the last event written, for read-your-writes; null when nothing changed. */
  readonly position: string | null;
}

/**
 * The autonomous sweep: detection and the trigger decision (proposed actions) over every org in
 * one pass (set-based SQL, batched appends).
 */
export class SweepFleet extends Command<SweepResult> {
  static readonly commandName = 'SweepFleet';
  constructor(
    readonly meta: CommandMeta,
    /** Orgs per page: one read-model snapshot query and one appendMany each. */
    readonly pageSize = 5_000,
  ) {
    super();
  }
}

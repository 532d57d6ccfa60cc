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
 * One share of the fleet: the orgs whose id hashes to `index` modulo `count` (computed in SQL, see
 * usage-summaries.sql.ts), so `count` workers with indexes 0..count-1 sweep disjoint shares that
 * together are the whole fleet.
 */
export interface SweepPartition {
  readonly index: number;
  readonly count: number;
}

export const MAX_SWEEP_PARTITIONS = 1024;

/** Refuses a share that is not an integer 0 <= index < count <= MAX_SWEEP_PARTITIONS. */
export function validateSweepPartition(partition: SweepPartition): SweepPartition {
  const { index, count } = partition;
  if (!Number.isInteger(index) || !Number.isInteger(count) || index < 0 || index >= count || count > MAX_SWEEP_PARTITIONS) {
    throw new RangeError(`sweep partition must be integers 0 <= index < count <= ${MAX_SWEEP_PARTITIONS}, got ${index}/${count}`);
  }
  return { index, count };
}

/**
 * The autonomous sweep: detection and the trigger decision (proposed actions) over every org in
 * one pass (set-based SQL, batched appends), or over one partition of the orgs.
 */
export class SweepFleet extends Command<SweepResult> {
  static readonly commandName = 'SweepFleet';
  /** Only this share of the orgs; absent = every org. */
  readonly partition?: SweepPartition;
  constructor(
    readonly meta: CommandMeta,
    /** Orgs per page: one read-model snapshot query and one appendMany each. */
    readonly pageSize = 5_000,
    partition?: SweepPartition,
  ) {
    super();
    if (partition) this.partition = validateSweepPartition(partition);
  }
}

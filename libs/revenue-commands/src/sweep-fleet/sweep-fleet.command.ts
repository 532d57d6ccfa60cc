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
  /** 'incremental': only the orgs whose inputs changed since the last incremental run were decided. */
  readonly mode: 'full' | 'incremental';
  /** An incremental sweep that decided every org says why (its first run, the periodic full sweep, ...). */
  readonly fullReason: string | null;
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

/** The incremental sweep's one setting (incremental-sweep.sql.ts says what it decides and when it decides everything). */
export interface IncrementalSweepOptions {
  /** The sums are aggregated from the whole window again, and every org decided, at least this often. */
  readonly fullEveryMs: number;
}

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
 * one pass (set-based SQL, batched appends), over one partition of the orgs, or, incremental,
 * over the orgs whose inputs changed since the last incremental run (incremental-sweep.sql.ts).
 */
export class SweepFleet extends Command<SweepResult> {
  static readonly commandName = 'SweepFleet';
  /** Only this share of the orgs; absent = every org. */
  readonly partition?: SweepPartition;
  /** Only the orgs whose inputs changed; absent = every org. */
  readonly incremental?: IncrementalSweepOptions;
  constructor(
    readonly meta: CommandMeta,
    /** Orgs per page: one read-model snapshot query and one appendMany each. */
    readonly pageSize = 5_000,
    partition?: SweepPartition,
    incremental?: IncrementalSweepOptions,
  ) {
    super();
    if (partition && incremental) throw new RangeError('an incremental sweep covers the whole fleet: it takes no partition');
    if (partition) this.partition = validateSweepPartition(partition);
    if (incremental) {
      if (!(incremental.fullEveryMs > 0)) throw new RangeError(`fullEveryMs must be positive, got ${incremental.fullEveryMs}`);
      this.incremental = incremental;
    }
  }
}

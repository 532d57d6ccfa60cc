import { sql, type CommonQueryMethods } from '#database';
import { comparePositions, type LogPosition, type RecordedEvent } from '../event-store.port.js';
import type { UpcasterRegistry } from '../upcasting.js';
import { eventColumns, rowPosition, toRecordedEvent, type EventRow } from './recorded-event.js';

export interface LogQuery {
  /** Exclusive. */
  readonly after?: LogPosition;
  /** Omitted: no limit. */
  readonly limit?: number;
  /** Wanted types as readers see them (after upcasting). */
  readonly eventTypes?: readonly string[];
}

export interface LogPage {
  readonly events: RecordedEvent[];
  /** True when the page hit the limit: more events may be visible already. */
  readonly full: boolean;
  /**
   * Committed events exist that an older, still open transaction holds back. The horizon will
   * move when that transaction ends, which notifies nobody if it wrote no event: poll soon.
   */
  readonly heldBack: boolean;
  /**
   * Where the next page starts. When the page is not full it is the visible head, so a
   * filtered reader skips non-matching events once instead of rescanning them every poll.
   */
  readonly next: LogPosition | undefined;
}

type PageRow = { readonly head_commit: string | null; readonly head_prepare: bigint | null; readonly held_back: boolean } & (
  EventRow | { readonly [K in keyof EventRow]: null }
);

/**
 * One page of the global log, gap-safe: only events of transactions older than every running
 * transaction of this database (event_store.log_horizon, migration 104) are taken, in
 * (transaction_id, global_position) order, so an event that commits late with a low position
 * is read after the ones that committed before it, never skipped. The head comes from the
 * same snapshot as the page.
 */
export async function readLogPage(db: CommonQueryMethods, query: LogQuery, upcasters: UpcasterRegistry): Promise<LogPage> {
  const { after, limit, eventTypes } = query;
  const afterCondition = after
    ? sql.fragment`AND (e.transaction_id, e.global_position) > (${after.commit.toString()}::xid8, ${after.prepare})`
    : sql.fragment``;
  const typeCondition = eventTypes
    ? sql.fragment`AND e.event_type = ANY(${sql.array(upcasters.storedTypesFor(eventTypes), 'text')})`
    : sql.fragment``;
  const rows = (await db.any(sql.unsafe`
    WITH horizon AS (
      SELECT event_store.log_horizon() AS xid
    ),
    head AS (
      SELECT e.transaction_id, e.global_position FROM event_store.events e
      WHERE e.transaction_id < (SELECT xid FROM horizon)
      ORDER BY e.transaction_id DESC, e.global_position DESC
      LIMIT 1
    ),
    status AS (
      SELECT (SELECT transaction_id::text FROM head) AS head_commit, (SELECT global_position FROM head) AS head_prepare,
             -- max() is one backward index probe; it only sees committed rows
             coalesce((SELECT max(e.transaction_id) FROM event_store.events e) >= (SELECT xid FROM horizon), false) AS held_back
    )
    SELECT h.head_commit, h.head_prepare, h.held_back,
           p.commit, p.global_position, p.stream_name, p.stream_revision, p.event_type, p.data, p.metadata
    FROM status h LEFT JOIN LATERAL (
      SELECT e.transaction_id AS tx, ${eventColumns}
      FROM event_store.events e
      WHERE e.transaction_id < (SELECT xid FROM horizon) ${afterCondition} ${typeCondition}
      ORDER BY e.transaction_id, e.global_position
      LIMIT ${limit ?? null}
    ) p ON true
    ORDER BY p.tx, p.global_position
  `)) as readonly PageRow[];
  const eventRows = rows.filter((row): row is PageRow & EventRow => row.commit !== null);
  const full = limit !== undefined && eventRows.length >= limit;
  const lastRow = eventRows[eventRows.length - 1];
  const status = rows[0]!;
  const head = status.head_commit ? { commit: BigInt(status.head_commit), prepare: status.head_prepare! } : undefined;
  const candidates = full ? [lastRow && rowPosition(lastRow)] : [after, lastRow && rowPosition(lastRow), head];
  const wanted = eventTypes && new Set(eventTypes);
  return {
    events: eventRows.map((row) => toRecordedEvent(row, upcasters)).filter((event) => !wanted || wanted.has(event.type)),
    full,
    heldBack: status.held_back,
    next: latest(candidates),
  };
}

function latest(positions: ReadonlyArray<LogPosition | undefined>): LogPosition | undefined {
  return positions.reduce<LogPosition | undefined>((max, p) => (p && (!max || comparePositions(p, max) > 0) ? p : max), undefined);
}

/** The last event readers can see, or null when none is visible yet. */
export async function readHeadPosition(db: CommonQueryMethods): Promise<LogPosition | null> {
  const row = await db.maybeOne(sql.unsafe`
    SELECT e.transaction_id::text AS commit, e.global_position FROM event_store.events e
    WHERE e.transaction_id < (SELECT event_store.log_horizon())
    ORDER BY e.transaction_id DESC, e.global_position DESC
    LIMIT 1
  `);
  return row ? rowPosition(row as Pick<EventRow, 'commit' | 'global_position'>) : null;
}

/**
 * The last committed event, ignoring the log horizon: a committed append that an older open
 * transaction still holds back counts (a plain statement snapshot sees every committed row).
 * One backward probe of events_log_order_idx.
 */
export async function readCommittedHead(db: CommonQueryMethods): Promise<LogPosition | null> {
  const row = await db.maybeOne(sql.unsafe`
    SELECT e.transaction_id::text AS commit, e.global_position FROM event_store.events e
    ORDER BY e.transaction_id DESC, e.global_position DESC
    LIMIT 1
  `);
  return row ? rowPosition(row as Pick<EventRow, 'commit' | 'global_position'>) : null;
}

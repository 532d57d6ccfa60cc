import { sql, type CommonQueryMethods, type DatabaseTransactionConnection } from '#database';
import { comparePositions, formatPosition, parsePosition, type EventStore, type LogPosition } from '#event-store';
import { ALL_REVENUE_EVENT_TYPES, orgIdFromStreamName, type RuleSet, type UsageSummary } from '#revenue';
import { usageSummaryOf, windowAggregate, windowStarts, type UsageSummaryRow } from '../inputs/usage-summaries.sql.js';
import type { RevenueDeps } from '../revenue-deps.js';
import { SweepFleet, type IncrementalSweepOptions } from './sweep-fleet.command.js';

/**
 * The incremental sweep's state (migration 118): per org, the sums of token_usage over the two
 * windows as of the last run, moved forward from what changed instead of re-aggregated from the
 * history. A run marks "dirty" every org whose decision may differ from the one its last run made:
 *
 * 1. rows written, updated or deleted since (captured by triggers into revenue_usage_changes),
 * 2. rows the windows slid over since (the windows start `windowDays` and `2 windowDays` before
 *    the run's instant: a range of period_start of the length of the time between runs),
 * 3. wallet changes (tier, balance: the credits to reserve from), and erasures,
 * 4. events appended to the org's stream since, by anything but a sweep (an approval, a
 *    rejection, an expiry, a delivery...); a sweep's own events, and the detections and proposals
 *    of any command, need no second look, because the same decision on the same inputs at a later
 *    instant writes nothing, except for
 * 5. the passage of time: an open opportunity whose re-action cooldown ended since the last run,
 *    and one still waiting to be actioned without a recorded credit stop (a run proposes at most
 *    maxPerRun, so the rest wait for the next run).
 *
 * Every other org would get no event from a full sweep at this instant (the detectors are pure
 * functions of the sums and the wallet; test/revenue/sweep-incremental.test.ts runs both over
 * generated history and compares the streams). The sums are aggregated from the whole window
 * again (and every org decided) on the first run, after `fullEveryMs`, when the rule set's version or
 * window changed, when the clock went backwards or further than a window, after a TRUNCATE, and
 * after a full run that did not finish.
 */

/** The scheduler's period for a full run (FULL_SWEEP_EVERY_HOURS). */
export const DEFAULT_FULL_SWEEP_EVERY_MS = 24 * 3_600_000;

/** What a run starts from: its number, and whether it decides the whole fleet or only what changed. */
export interface SweepRun {
  readonly run: number;
  readonly mode: 'full' | 'incremental';
  /** Why the run aggregates the whole window (null for an incremental run). */
  readonly fullReason: string | null;
  /** Orgs to decide: every org of a full run; those marked (including any a crashed run left marked) of an incremental one. */
  readonly orgs: number;
}

/** token_usage or token_wallets is not a table here (a platform mapping them as views): no triggers to capture changes. */
export class IncrementalSweepUnavailableError extends Error {
  constructor(missing: readonly string[]) {
    super(`the incremental sweep needs the change-capture triggers of migration 118, missing: ${missing.join(', ')}`);
    this.name = 'IncrementalSweepUnavailableError';
  }
}

const CAPTURE_TRIGGERS = ['insert', 'update', 'delete', 'truncate'].flatMap((op) => [
  { table: 'token_usage', name: `revenue_capture_usage_${op}` },
  { table: 'token_wallets', name: `revenue_capture_wallet_${op}` },
]);

type Cursor = {
  run: bigint;
  as_of: Date | number;
  window_days: number;
  rule_set_version: string;
  log_position: string | null;
  full_at: Date | number;
  full_pending: boolean;
};

const DAY_MS = 86_400_000;
const LOG_PAGE = 10_000;

/**
 * Moves the windows to `asOf` and marks the orgs to decide, in one transaction that holds the
 * cursor's lock (runs advance one at a time; deciding the marked orgs afterwards is safe to
 * overlap, as every sweep is). Nothing is lost if the process dies after it: the marks stay
 * until a run has decided the org (markDecided), and the next run decides them too.
 */
export async function advanceSweepWindows(
  deps: Pick<RevenueDeps, 'pool' | 'store'>,
  asOf: Date,
  ruleSet: RuleSet,
  options: IncrementalSweepOptions,
): Promise<SweepRun> {
  const head = await deps.store.headPosition();
  // Read before the transaction (the store has its own connections). Should another run advance
  // the cursor meanwhile, these are the events after an earlier position: more orgs, never fewer.
  // No cursor: the run is a full one, and needs no events.
  const before = (await deps.pool.maybeOne(sql.unsafe`SELECT log_position FROM revenue_sweep_cursor`)) as Pick<
    Cursor,
    'log_position'
  > | null;
  const fromStreams = before ? await orgsWithOtherEvents(deps.store, before.log_position, head) : [];
  return deps.pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`LOCK TABLE revenue_sweep_cursor IN EXCLUSIVE MODE`);
    const cursor = (await tx.maybeOne(sql.unsafe`SELECT * FROM revenue_sweep_cursor`)) as Cursor | null;
    const disabled = await disabledTriggers(tx);
    const run = Number(cursor?.run ?? 0n) + 1;
    const fullReason = whyFull(cursor, disabled.length > 0, asOf, ruleSet, options);
    let marked: number;
    if (fullReason !== null) {
      for (const { table, name } of disabled)
        await tx.query(sql.unsafe`ALTER TABLE ${sql.identifier([table])} ENABLE TRIGGER ${sql.identifier([name])}`);
      marked = await aggregateWindows(tx, asOf, ruleSet);
    } else {
      const previous = new Date(cursor!.as_of);
      const waiting = await orgsWaitingOnTime(tx, previous, asOf, ruleSet);
      marked = await slideWindows(tx, previous, asOf, ruleSet, run, [...new Set([...fromStreams, ...waiting])]);
    }
    const full = fullReason !== null;
    const fullAt = full ? asOf : new Date(cursor!.full_at);
    await tx.query(sql.unsafe`
      INSERT INTO revenue_sweep_cursor (id, run, as_of, window_days, rule_set_version, log_position, full_at, full_pending)
      VALUES (true, ${run}, ${asOf.toISOString()}, ${ruleSet.windowDays}, ${ruleSet.version}, ${head ? formatPosition(head) : null},
        ${fullAt.toISOString()}, ${full})
      ON CONFLICT (id) DO UPDATE SET run = excluded.run, as_of = excluded.as_of, window_days = excluded.window_days,
        rule_set_version = excluded.rule_set_version, log_position = excluded.log_position, full_at = excluded.full_at,
        full_pending = excluded.full_pending`);
    const orgs = full ? marked : marked + (await leftMarked(tx, run));
    return { run, mode: full ? 'full' : 'incremental', fullReason, orgs };
  });
}

function whyFull(
  cursor: Cursor | null,
  captureOff: boolean,
  asOf: Date,
  ruleSet: RuleSet,
  options: IncrementalSweepOptions,
): string | null {
  if (!cursor) return 'first run (or the usage table was truncated)';
  if (captureOff) return 'change capture was off';
  if (cursor.full_pending) return 'the last full run did not finish';
  if (cursor.rule_set_version !== ruleSet.version || cursor.window_days !== ruleSet.windowDays) return 'the rule set changed';
  const since = asOf.getTime() - new Date(cursor.as_of).getTime();
  if (since < 0) return 'the clock is before the last run';
  if (since > ruleSet.windowDays * DAY_MS) return 'more than a window since the last run';
  if (asOf.getTime() - new Date(cursor.full_at).getTime() >= options.fullEveryMs) return 'the periodic full sweep is due';
  return null;
}

async function disabledTriggers(tx: DatabaseTransactionConnection): Promise<Array<{ table: string; name: string }>> {
  const rows = (await tx.any(sql.unsafe`
    SELECT t.tgname AS name, t.tgenabled AS enabled FROM pg_trigger t
    WHERE t.tgname = ANY(${sql.array(
      CAPTURE_TRIGGERS.map((t) => t.name),
      'text',
    )}) AND t.tgrelid IN ('public.token_usage'::regclass, 'public.token_wallets'::regclass)`)) as ReadonlyArray<{
    name: string;
    enabled: string;
  }>;
  const missing = CAPTURE_TRIGGERS.filter((t) => !rows.some((r) => r.name === t.name));
  if (missing.length) throw new IncrementalSweepUnavailableError(missing.map((t) => `${t.table}.${t.name}`));
  return CAPTURE_TRIGGERS.filter((t) => rows.some((r) => r.name === t.name && r.enabled === 'D'));
}

/**
 * Every org gets the sums of the whole window (no marks: a full run decides every org); the
 * changes captured so far are consumed in the same statement, so the same snapshot. The memory
 * lets the aggregate hash the 100,000 orgs instead of merging them off the (org, period) index.
 */
async function aggregateWindows(tx: DatabaseTransactionConnection, asOf: Date, ruleSet: RuleSet): Promise<number> {
  await tx.query(sql.unsafe`TRUNCATE revenue_sweep_windows`);
  await tx.query(sql.unsafe`SET LOCAL work_mem = '64MB'`);
  return Number(
    await tx.oneFirst(sql.unsafe`
      WITH consumed AS (DELETE FROM revenue_usage_changes), usage AS (${windowAggregate(asOf, ruleSet)}),
      inserted AS (
        INSERT INTO revenue_sweep_windows (org_id, recent_text, recent_voice, recent_rows, previous_text, previous_voice, previous_rows, dirty_run)
        SELECT o.id, coalesce(recent_text, 0), coalesce(recent_voice, 0), coalesce(recent_rows, 0),
          coalesce(previous_text, 0), coalesce(previous_voice, 0), coalesce(previous_rows, 0), NULL
        FROM organizations o LEFT JOIN usage ON usage.org_id = o.id
        RETURNING 1)
      SELECT count(*) FROM inserted`),
  );
}

/**
 * One statement, so one snapshot: the captured changes are consumed, each counted in the windows
 * as of the last run (as the kept sums are), and then the rows the windows' starts passed over
 * are moved, from recent to previous and out of previous; a row written since the last run that
 * they passed over is in both, and moves like any older row. A row written after this snapshot is
 * in neither, and is captured for the next run. `alsoMarked` get a mark with no change to their sums.
 */
async function slideWindows(
  tx: DatabaseTransactionConnection,
  previous: Date,
  asOf: Date,
  ruleSet: RuleSet,
  run: number,
  alsoMarked: readonly string[],
): Promise<number> {
  const was = windowStarts(previous, ruleSet);
  const now = windowStarts(asOf, ruleSet);
  const at = (t: string) => sql.fragment`${t}::timestamptz`;
  const [r0, p0, r1, p1] = [at(was.recentStart), at(was.previousStart), at(now.recentStart), at(now.previousStart)];
  return Number(
    await tx.oneFirst(sql.unsafe`
      WITH consumed AS (
        DELETE FROM revenue_usage_changes RETURNING org_id, period_start, text_tokens, voice_seconds, row_count
      ), moves (org_id, rt, rv, rn, pt, pv, pn) AS (
        SELECT org_id,
          CASE WHEN period_start >= ${r0} THEN text_tokens ELSE 0 END, CASE WHEN period_start >= ${r0} THEN voice_seconds ELSE 0 END,
          CASE WHEN period_start >= ${r0} THEN row_count ELSE 0 END,
          CASE WHEN period_start < ${r0} THEN text_tokens ELSE 0 END, CASE WHEN period_start < ${r0} THEN voice_seconds ELSE 0 END,
          CASE WHEN period_start < ${r0} THEN row_count ELSE 0 END
        FROM consumed WHERE period_start IS NULL OR period_start >= ${p0}
        UNION ALL
        SELECT org_id, -text_tokens_used, -voice_seconds_used, -1, text_tokens_used, voice_seconds_used, 1
        FROM token_usage WHERE period_start >= ${r0} AND period_start < ${r1}
        UNION ALL
        SELECT org_id, 0, 0, 0, -text_tokens_used, -voice_seconds_used, -1
        FROM token_usage WHERE period_start >= ${p0} AND period_start < ${p1}
        UNION ALL
        SELECT org_id, 0, 0, 0, 0, 0, 0 FROM unnest(${sql.array(alsoMarked, 'uuid')}::uuid[]) AS org_id
      ), delta AS (
        SELECT org_id, sum(rt) AS rt, sum(rv) AS rv, sum(rn) AS rn, sum(pt) AS pt, sum(pv) AS pv, sum(pn) AS pn
        FROM moves GROUP BY org_id
      ), gone AS (
        -- An org deleted since: its rows went with it (ON DELETE CASCADE), so its sums are zero.
        DELETE FROM revenue_sweep_windows w USING delta d
        WHERE w.org_id = d.org_id AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = d.org_id)
      ), upserted AS (
        INSERT INTO revenue_sweep_windows AS w (org_id, recent_text, recent_voice, recent_rows, previous_text, previous_voice, previous_rows, dirty_run)
        SELECT d.org_id, d.rt, d.rv, d.rn, d.pt, d.pv, d.pn, ${run} FROM delta d JOIN organizations o ON o.id = d.org_id
        ON CONFLICT (org_id) DO UPDATE SET
          recent_text = w.recent_text + excluded.recent_text, recent_voice = w.recent_voice + excluded.recent_voice,
          recent_rows = w.recent_rows + excluded.recent_rows, previous_text = w.previous_text + excluded.previous_text,
          previous_voice = w.previous_voice + excluded.previous_voice, previous_rows = w.previous_rows + excluded.previous_rows,
          dirty_run = excluded.dirty_run
        RETURNING 1)
      SELECT count(*) FROM upserted`),
  );
}

/** Orgs a crashed or unfinished run left marked (their mark is older than this run's). */
async function leftMarked(tx: DatabaseTransactionConnection, run: number): Promise<number> {
  return Number(await tx.oneFirst(sql.unsafe`SELECT count(*) FROM revenue_sweep_windows WHERE dirty_run < ${run}`));
}

/**
 * The events only a detection or trigger decision writes (a sweep, a full analysis, a trigger
 * run), which the same decision on the same inputs would not write again: not read at all (the
 * store filters by type), so a run does not read back the previous run's refreshes. Closures and
 * action expiries are read: a person or the scheduler may have written them.
 */
const DECISION_OUTPUTS: readonly string[] = [
  'revenue.opportunity-detected.v1',
  'revenue.opportunity-refreshed.v1',
  'revenue.experiment-arm-assigned.v1',
  'revenue.action-proposed.v1',
  'revenue.action-run-stopped.v1',
];
const OTHER_REVENUE_EVENTS = ALL_REVENUE_EVENT_TYPES.filter((t) => !DECISION_OUTPUTS.includes(t));

/** Orgs whose stream got an event after `after` (up to `head`) from anything but a sweep (point 4 above). */
async function orgsWithOtherEvents(store: EventStore, after: string | null, head: LogPosition | null): Promise<string[]> {
  const orgs = new Set<string>();
  let from = after ? parsePosition(after) : null;
  while (head) {
    const events = await store.readAll({ ...(from ? { after: from } : {}), maxCount: LOG_PAGE, eventTypes: OTHER_REVENUE_EVENTS });
    for (const e of events) {
      if (comparePositions(e.position, head) <= 0 && e.metadata.command !== SweepFleet.commandName) {
        const orgId = orgIdFromStreamName(e.streamName);
        if (orgId) orgs.add(orgId);
      }
    }
    const last = events.at(-1)?.position;
    if (!last || events.length < LOG_PAGE || comparePositions(last, head) >= 0) break;
    from = last;
  }
  return [...orgs];
}

/**
 * Point 5 above, from the read model: open opportunities the trigger would action (confidence,
 * not held out, nothing live on them) that are out of their cooldown now and were either in it at
 * the last run or have no credit stop recorded for their org (a stop is recorded again only when
 * something changed, and those changes are points 1-4).
 */
async function orgsWaitingOnTime(db: CommonQueryMethods, previous: Date, asOf: Date, ruleSet: RuleSet): Promise<string[]> {
  const { minConfidence, cooldownDays } = ruleSet.actions;
  const cooledBefore = new Date(asOf.getTime() - cooldownDays * DAY_MS).toISOString();
  const cooledSince = new Date(previous.getTime() - cooldownDays * DAY_MS).toISOString();
  return (await db.anyFirst(sql.unsafe`
    SELECT DISTINCT o.org_id FROM revenue_opportunities o JOIN revenue_org_streams s ON s.org_id = o.org_id
    WHERE o.status = 'open' AND o.confidence >= ${minConfidence} AND o.arm IS DISTINCT FROM 'control'
      AND (o.last_action_at IS NULL OR o.last_action_at < ${cooledBefore}::timestamptz)
      AND (s.last_run_stop IS NULL OR o.last_action_at >= ${cooledSince}::timestamptz)
      AND NOT EXISTS (SELECT 1 FROM revenue_actions a WHERE a.opportunity_id = o.id AND a.status IN ('proposed', 'approved'))`)) as string[];
}

/** The next page after `after` (org id order) of the orgs a run decides, with their sums and wallet: every org of a full run, the marked ones of an incremental one. */
export async function loadSweepSummaries(
  db: CommonQueryMethods,
  run: Pick<SweepRun, 'mode'>,
  asOf: Date,
  after: string | null,
  limit: number,
): Promise<UsageSummary[]> {
  // `after` on every side of the joins: merge joins then start at the page, not at the first org.
  const from = (column: string) => (after ? sql.fragment`AND ${sql.identifier(column.split('.'))} > ${after}` : sql.fragment``);
  const rows = (await db.any(sql.unsafe`
    SELECT m.org_id, wal.tier, wal.balance::float8 AS balance, m.recent_text, m.recent_voice, m.recent_rows,
      m.previous_text, m.previous_voice, m.previous_rows
    FROM revenue_sweep_windows m
    JOIN organizations o ON o.id = m.org_id ${from('o.id')}
    LEFT JOIN token_wallets wal ON wal.org_id = m.org_id ${from('wal.org_id')}
    WHERE ${run.mode === 'incremental' ? sql.fragment`m.dirty_run IS NOT NULL` : sql.fragment`true`} ${from('m.org_id')}
    ORDER BY m.org_id LIMIT ${limit}`)) as readonly UsageSummaryRow[];
  const asOfIso = asOf.toISOString();
  return rows.map((r) => usageSummaryOf(r, asOfIso));
}

/** The run decided these orgs: their marks go, unless a later run marked them again meanwhile. */
export async function markDecided(db: CommonQueryMethods, run: Pick<SweepRun, 'run' | 'mode'>, orgIds: readonly string[]): Promise<void> {
  if (run.mode === 'incremental') {
    await db.query(sql.unsafe`
      UPDATE revenue_sweep_windows SET dirty_run = NULL WHERE org_id = ANY(${sql.array(orgIds, 'uuid')}) AND dirty_run <= ${run.run}`);
  }
}

/** After the run's last page: a full run is done (one that dies before this leaves the next run full). */
export async function finishRun(db: CommonQueryMethods, run: Pick<SweepRun, 'run' | 'mode'>): Promise<void> {
  if (run.mode === 'full') await db.query(sql.unsafe`UPDATE revenue_sweep_cursor SET full_pending = false WHERE run = ${run.run}`);
}

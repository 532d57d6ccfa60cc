import { type ReactNode, useState } from 'react';
import type { ApiClient } from '../api';
import { formatTime } from '../format';
import { useCursorStack, useResource } from '../hooks';
import { OUTBOX_STATES, type OutboxEntry, type Page, type ParkedEvent, type ProjectionStatus, type SchedulerRun } from '../types';
import { Choice, Empty, Loaded, CursorPager, RefreshHead, TableWrap } from './ui';

const PAGE_SIZE = 20;

interface Column<T> {
  readonly header: string;
  readonly cell: (row: T) => ReactNode;
}

/** A read-only table of one page: the first column names the row. */
function DataTable<T>({
  caption,
  rows,
  columns,
  rowKey,
}: {
  caption: string;
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
}) {
  if (rows.length === 0) return <Empty>Nothing to show.</Empty>;
  const [first, ...rest] = columns;
  return (
    <TableWrap label={caption}>
      <table className="rd-table">
        <caption className="rd-visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {first ? (
                <th scope="row" data-label={first.header}>
                  {first.cell(row)}
                </th>
              ) : null}
              {rest.map((c) => (
                <td key={c.header} data-label={c.header}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

const dash = (value: number | string | null | undefined): string =>
  value === null || value === undefined || value === '' ? '—' : String(value);

const RUN_COLUMNS: readonly Column<SchedulerRun>[] = [
  { header: 'Started', cell: (r) => formatTime(r.startedAt) },
  { header: 'Outcome', cell: (r) => r.outcome ?? 'running' },
  { header: 'Instance', cell: (r) => r.instanceId },
  { header: 'Finished', cell: (r) => formatTime(r.finishedAt) },
  { header: 'Orgs', cell: (r) => dash(r.orgs) },
  { header: 'Detections', cell: (r) => dash(r.detections) },
  { header: 'Proposed', cell: (r) => dash(r.actionsProposed) },
  { header: 'Expired', cell: (r) => dash(r.actionsExpired) },
  { header: 'Errors', cell: (r) => (r.errors.length ? r.errors.join('; ') : '—') },
];

const PROJECTION_COLUMNS: readonly Column<ProjectionStatus>[] = [
  { header: 'Projection', cell: (p) => p.name },
  { header: 'State', cell: (p) => p.state },
  { header: 'Version (live)', cell: (p) => `${dash(p.version)} (${dash(p.liveVersion)})` },
  { header: 'Position', cell: (p) => dash(p.position) },
  { header: 'Lag (events)', cell: (p) => dash(p.lagEvents) },
  { header: 'Parked', cell: (p) => dash(p.parkedCount) },
  { header: 'Halted because', cell: (p) => dash(p.haltedReason) },
  { header: 'Rebuild', cell: (p) => (p.rebuild ? `to v${p.rebuild.version} at ${p.rebuild.position ?? 'the start'}` : '—') },
];

const PARKED_COLUMNS: readonly Column<ParkedEvent>[] = [
  { header: 'Parked', cell: (p) => formatTime(p.parkedAt) },
  { header: 'Projection', cell: (p) => p.projection },
  { header: 'Event', cell: (p) => `${p.eventType} (${p.eventId})` },
  { header: 'Position', cell: (p) => p.position },
  { header: 'Attempts', cell: (p) => p.attempts },
  { header: 'Error', cell: (p) => p.error },
];

const OUTBOX_COLUMNS: readonly Column<OutboxEntry>[] = [
  { header: 'Queued', cell: (o) => formatTime(o.queuedAt) },
  { header: 'State', cell: (o) => o.state },
  { header: 'Kind', cell: (o) => o.kind },
  { header: 'Action', cell: (o) => `${o.actionType} (${o.actionId})` },
  { header: 'Channel', cell: (o) => o.channelKind },
  { header: 'Attempts', cell: (o) => o.attempts },
  { header: 'Next attempt', cell: (o) => formatTime(o.nextAttemptAt) },
  { header: 'Last error', cell: (o) => dash(o.lastError) },
];

/** One paged list of /api/ops/*: its heading, loading/error/empty states and Previous/Next. */
function PagedSection<T>({
  api,
  title,
  path,
  query = {},
  columns,
  rowKey,
  testId,
  children,
}: {
  api: ApiClient;
  title: string;
  path: string;
  query?: Readonly<Record<string, string>>;
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  testId: string;
  children?: ReactNode;
}) {
  const listKey = `${path}|${JSON.stringify(query)}`;
  const pages = useCursorStack(listKey);
  const page = useResource(`${listKey}|${pages.cursor ?? ''}`, (signal) =>
    api.get<Page<T>>(path, { query: { ...query, limit: PAGE_SIZE, cursor: pages.cursor }, signal }),
  );
  const headingId = `rd-${testId}-heading`;
  return (
    <section className="rd-ops-section" aria-labelledby={headingId} data-testid={testId}>
      <RefreshHead id={headingId} title={title} onRefresh={page.reload} />
      {children}
      <Loaded resource={page} what={title.toLowerCase()}>
        {(data) => <DataTable caption={title} rows={data.items} columns={columns} rowKey={rowKey} />}
      </Loaded>
      <CursorPager testId={`${testId}-page`} label={title} pages={pages} resource={page} />
    </section>
  );
}

function Projections({ api }: { api: ApiClient }) {
  const projections = useResource('projections', (signal) => api.get<Page<ProjectionStatus>>('/api/ops/projections', { signal }));
  return (
    <section className="rd-ops-section" aria-labelledby="rd-projections-heading" data-testid="ops-projections">
      <RefreshHead id="rd-projections-heading" title="Projections" onRefresh={projections.reload} />
      <Loaded resource={projections} what="projections">
        {(data) => <DataTable caption="Projections" rows={data.items} columns={PROJECTION_COLUMNS} rowKey={(p) => p.name} />}
      </Loaded>
    </section>
  );
}

/** For ops:read tokens: scheduler runs, projections and their lag, parked events, the dispatch outbox. */
export function OperationsView({ api }: { api: ApiClient }) {
  const [outboxState, setOutboxState] = useState('');
  return (
    <section aria-labelledby="rd-ops-heading" className="rd-ops">
      <h2 id="rd-ops-heading">Operations</h2>
      <Projections api={api} />
      <PagedSection api={api} title="Scheduler runs" path="/api/ops/runs" columns={RUN_COLUMNS} rowKey={(r) => r.runId} testId="ops-runs" />
      <PagedSection
        api={api}
        title="Parked events"
        path="/api/ops/parked"
        columns={PARKED_COLUMNS}
        rowKey={(p) => p.id}
        testId="ops-parked"
      />
      <PagedSection
        api={api}
        title="Outbox"
        path="/api/ops/outbox"
        query={outboxState ? { state: outboxState } : {}}
        columns={OUTBOX_COLUMNS}
        rowKey={(o) => `${o.kind}|${o.actionId}`}
        testId="ops-outbox"
      >
        <Choice
          label="Outbox state"
          testId="filter-outbox-state"
          value={outboxState}
          options={OUTBOX_STATES}
          allLabel="open (waiting, delivering, retrying, gave-up)"
          onChange={setOutboxState}
        />
      </PagedSection>
    </section>
  );
}

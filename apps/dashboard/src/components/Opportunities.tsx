import { useState } from 'react';
import type { ApiClient } from '../api';
import { formatAge, formatConfidence, formatFacts, formatTime, humanize } from '../format';
import { useCursorStack, useResource } from '../hooks';
import {
  OPPORTUNITY_SORTS,
  OPPORTUNITY_STATUSES,
  OPPORTUNITY_TYPES,
  type Opportunity,
  type OpportunityPage,
  type OpportunitySort,
} from '../types';
import { OpportunityDetail } from './OpportunityDetail';
import { Choice, Empty, Loaded, CursorPager, TableWrap } from './ui';

export const OPPORTUNITIES_PAGE_SIZE = 25;

const SORT_LABELS: Readonly<Record<OpportunitySort, string>> = {
  confidence: 'confidence (highest first)',
  newest: 'newest first',
  oldest: 'oldest first',
};

export interface OpportunityFilters {
  readonly type: string;
  readonly status: string;
  readonly sort: OpportunitySort;
}

export function Filters({ filters, onChange }: { filters: OpportunityFilters; onChange: (filters: OpportunityFilters) => void }) {
  return (
    <div className="rd-filters" role="group" aria-label="Filter and sort opportunities">
      <Choice
        label="Type"
        testId="filter-type"
        value={filters.type}
        options={OPPORTUNITY_TYPES}
        allLabel="all types"
        onChange={(type) => onChange({ ...filters, type })}
      />
      <Choice
        label="Status"
        testId="filter-status"
        value={filters.status}
        options={OPPORTUNITY_STATUSES}
        allLabel="all statuses"
        onChange={(status) => onChange({ ...filters, status })}
      />
      <div className="rd-field">
        <label htmlFor="rd-sort">Sort by</label>
        <select
          id="rd-sort"
          data-testid="sort"
          value={filters.sort}
          onChange={(event) => onChange({ ...filters, sort: event.target.value as OpportunitySort })}
        >
          {OPPORTUNITY_SORTS.map((sort) => (
            <option key={sort} value={sort}>
              {SORT_LABELS[sort]}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

export function OpportunitiesTable({
  opportunities,
  selectedId,
  onOpen,
}: {
  opportunities: readonly Opportunity[];
  selectedId: string | null;
  onOpen: (opportunity: Opportunity) => void;
}) {
  const now = Date.now();
  return (
    <TableWrap label="Opportunities table">
      <table data-testid="opportunities-table" className="rd-table">
        <caption className="rd-visually-hidden">Opportunities</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Confidence</th>
            <th scope="col">Source</th>
            <th scope="col">Evidence</th>
            <th scope="col">Status</th>
            <th scope="col">Age</th>
          </tr>
        </thead>
        <tbody>
          {opportunities.map((o) => (
            <tr key={o.id} data-testid="opportunity-row" data-id={o.id} className={o.id === selectedId ? 'rd-selected' : undefined}>
              <th scope="row" data-label="Type">
                <button
                  type="button"
                  className="rd-link"
                  aria-label={`Open ${humanize(o.type)} opportunity ${o.id}`}
                  onClick={() => onOpen(o)}
                >
                  {humanize(o.type)}
                </button>
              </th>
              <td data-label="Confidence">{formatConfidence(o.confidence)}</td>
              <td data-label="Source">{o.source}</td>
              <td data-label="Evidence" className="rd-evidence">
                {formatFacts(o.evidence)}
              </td>
              <td data-label="Status">{o.status}</td>
              <td data-label="Age">
                <time dateTime={o.createdAt} title={formatTime(o.createdAt)}>
                  {formatAge(o.createdAt, now)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** The org's opportunities: filters and sort are the API's parameters, paging follows its cursors (one page in memory). */
export function OpportunitiesView({ api, orgId }: { api: ApiClient; orgId: string }) {
  const [filters, setFilters] = useState<OpportunityFilters>({ type: '', status: '', sort: 'confidence' });
  const [selected, setSelected] = useState<Opportunity | null>(null);
  const listKey = `${orgId}|${filters.type}|${filters.status}|${filters.sort}`;
  const pages = useCursorStack(listKey);
  const page = useResource(`${listKey}|${pages.cursor ?? ''}`, (signal) =>
    api.get<OpportunityPage>('/api/revenue/opportunities', {
      orgId,
      signal,
      query: { type: filters.type, status: filters.status, sort: filters.sort, limit: OPPORTUNITIES_PAGE_SIZE, cursor: pages.cursor },
    }),
  );
  return (
    <div className="rd-opportunities">
      <section aria-labelledby="rd-opps-heading" className="rd-opps-list">
        <h2 id="rd-opps-heading">Opportunities</h2>
        <Filters filters={filters} onChange={setFilters} />
        <Loaded resource={page} what="opportunities">
          {(data) =>
            data.opportunities.length === 0 ? (
              <Empty>No opportunity matches these filters.</Empty>
            ) : (
              <OpportunitiesTable opportunities={data.opportunities} selectedId={selected?.id ?? null} onOpen={setSelected} />
            )
          }
        </Loaded>
        <CursorPager testId="page" label="Opportunities" pages={pages} resource={page} />
      </section>
      {selected ? (
        <OpportunityDetail key={selected.id} api={api} orgId={orgId} opportunity={selected} onClose={() => setSelected(null)} />
      ) : null}
    </div>
  );
}

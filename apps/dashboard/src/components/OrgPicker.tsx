import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { type ApiClient, type ApiProblem, asProblem } from '../api';
import { useDebounced } from '../hooks';
import type { MyOrg, OperatorOrg, Page } from '../types';
import { Loading, ProblemMessage } from './ui';

export interface OrgChoice {
  readonly orgId: string;
  readonly name: string;
}

interface Listed extends OrgChoice {
  readonly readable: boolean;
  readonly role: string | null;
}

const PAGE_SIZE = 25;

interface ListState {
  readonly items: readonly Listed[];
  readonly nextCursor: string | null;
  readonly loading: boolean;
  readonly error: ApiProblem | null;
}

function listed(source: 'me' | 'maos', item: MyOrg | OperatorOrg): Listed {
  if (source === 'me') {
    const mine = item as MyOrg;
    return { orgId: mine.orgId, name: mine.name, readable: mine.canReadRevenue, role: mine.role };
  }
  return { orgId: item.orgId, name: item.name, readable: true, role: null };
}

export interface OrgPickerProps {
  readonly api: ApiClient;
  readonly source: 'me' | 'maos';
  readonly selectedOrgId: string | null;
  readonly onSelect: (org: OrgChoice) => void;
}

/** The orgs the principal may read, a page at a time, searchable by name (users: /api/me/orgs; operators: /api/maos/orgs). */
export function OrgPicker({ api, source, selectedOrgId, onSelect }: OrgPickerProps) {
  const searchId = useId();
  const [search, setSearch] = useState('');
  const settled = useDebounced(search.trim(), 300);
  const [list, setList] = useState<ListState>({ items: [], nextCursor: null, loading: true, error: null });
  const request = useRef<AbortController | null>(null);

  const fetchPage = useCallback(
    (term: string, cursor: string | undefined) => {
      request.current?.abort();
      const controller = new AbortController();
      request.current = controller;
      setList((s) => ({ ...s, loading: true, error: null, ...(cursor ? {} : { items: [], nextCursor: null }) }));
      const path = source === 'me' ? '/api/me/orgs' : '/api/maos/orgs';
      api.get<Page<MyOrg | OperatorOrg>>(path, { query: { limit: PAGE_SIZE, cursor, search: term }, signal: controller.signal }).then(
        (page) => {
          if (controller.signal.aborted) return;
          const items = page.items.map((item) => listed(source, item));
          setList((s) => ({
            items: cursor ? [...s.items, ...items] : items,
            nextCursor: page.nextCursor ?? null,
            loading: false,
            error: null,
          }));
        },
        (error: unknown) => {
          if (!controller.signal.aborted) setList((s) => ({ ...s, loading: false, error: asProblem(error) }));
        },
      );
    },
    [api, source],
  );

  useEffect(() => {
    fetchPage(settled, undefined);
    return () => request.current?.abort();
  }, [settled, fetchPage]);

  const done = !list.loading && !list.error && list.nextCursor === null;
  const noneReadable = done && settled === '' && list.items.every((org) => !org.readable);

  return (
    <section className="rd-orgs" aria-labelledby={`${searchId}-heading`}>
      <h2 id={`${searchId}-heading`}>Choose an organization</h2>
      <div className="rd-field">
        <label htmlFor={searchId}>Search organizations by name</label>
        <input
          id={searchId}
          type="search"
          data-testid="org-search"
          maxLength={100}
          autoComplete="off"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      </div>
      {noneReadable ? (
        <p className="rd-problem" role="alert">
          {list.items.length === 0
            ? 'Your account belongs to no organization, so there is no revenue data to show.'
            : 'You are a member of these organizations but not an owner or admin of any: only owners and admins may read revenue data.'}
        </p>
      ) : null}
      {done && settled !== '' && list.items.length === 0 ? <p className="rd-empty">No organization name contains “{settled}”.</p> : null}
      <ul className="rd-org-list" aria-label="Organizations" aria-busy={list.loading}>
        {list.items.map((org) => (
          <li key={org.orgId}>
            <button
              type="button"
              data-testid="org-option"
              data-org-id={org.orgId}
              aria-pressed={org.orgId === selectedOrgId}
              disabled={!org.readable}
              onClick={() => onSelect({ orgId: org.orgId, name: org.name })}
            >
              <span className="rd-org-name">{org.name || org.orgId}</span>
              {org.role ? <span className="rd-org-role">{org.readable ? org.role : `${org.role}: cannot read revenue`}</span> : null}
            </button>
          </li>
        ))}
      </ul>
      {list.loading ? <Loading what="organizations" /> : null}
      {list.error ? <ProblemMessage problem={list.error} onRetry={() => fetchPage(settled, list.nextCursor ?? undefined)} /> : null}
      {list.nextCursor && !list.loading ? (
        <button type="button" className="rd-more" onClick={() => fetchPage(settled, list.nextCursor ?? undefined)}>
          More organizations
        </button>
      ) : null}
    </section>
  );
}

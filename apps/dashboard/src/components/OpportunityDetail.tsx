import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api';
import { formatConfidence, formatCredits, formatTime, humanize } from '../format';
import { useResource } from '../hooks';
import type { Action, AuditEvent, Facts, Opportunity, StateAsOf } from '../types';
import { Empty, Loaded, TableWrap } from './ui';

function FactList({ facts, label }: { facts: Facts | Readonly<Record<string, unknown>>; label: string }) {
  const entries = Object.entries(facts ?? {});
  if (entries.length === 0) return <Empty>No {label}.</Empty>;
  return (
    <dl className="rd-facts" aria-label={label}>
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function ActionsTable({ actions }: { actions: readonly Action[] }) {
  if (actions.length === 0) return <Empty>No action has been proposed for this opportunity.</Empty>;
  return (
    <TableWrap label="Actions table">
      <table className="rd-table">
        <caption className="rd-visually-hidden">Actions and their delivery</caption>
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Status</th>
            <th scope="col">Credits reserved / charged</th>
            <th scope="col">Delivery</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {actions.map((a) => (
            <tr key={a.id} data-testid="action-row" data-id={a.id}>
              <th scope="row" data-label="Action">
                {humanize(a.actionType)}
              </th>
              <td data-label="Status">
                {a.status}
                {a.reason ? <span className="rd-sub"> ({a.reason})</span> : null}
              </td>
              <td data-label="Credits">
                {formatCredits(a.creditsReserved)} / {formatCredits(a.creditsCharged)}
              </td>
              <td data-label="Delivery">{a.delivery ? `${a.delivery.state} via ${a.delivery.channel}` : 'not queued'}</td>
              <td data-label="Attempts">{a.delivery ? a.delivery.attempts : '—'}</td>
              <td data-label="Last error">{a.delivery?.lastError ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Timeline({
  events,
  selected,
  onSelect,
}: {
  events: readonly AuditEvent[];
  selected: string | null;
  onSelect: (revision: string) => void;
}) {
  if (events.length === 0) return <Empty>No events recorded.</Empty>;
  return (
    <ol className="rd-timeline">
      {events.map((e) => (
        <li key={e.eventId} data-testid="timeline-entry" data-revision={e.revision}>
          <button type="button" aria-pressed={selected === e.revision} onClick={() => onSelect(e.revision)}>
            <span className="rd-tl-what">{e.type}</span>
            <span className="rd-tl-when">
              <time dateTime={e.occurredAt}>{formatTime(e.occurredAt)}</time>
            </span>
            <span className="rd-tl-who">
              by {e.actor.kind}:{e.actor.id}
            </span>
            <span className="rd-tl-meta">
              revision {e.revision} · command {e.command ?? '—'} · rule set {e.ruleSetVersion ?? '—'}
            </span>
          </button>
        </li>
      ))}
    </ol>
  );
}

function StateView({ state }: { state: StateAsOf }) {
  const opportunity = (state.opportunity ?? {}) as Record<string, unknown>;
  const summary = Object.fromEntries(
    ['status', 'type', 'confidence', 'closedAt', 'ruleSetVersion'].filter((k) => k in opportunity).map((k) => [k, opportunity[k]]),
  );
  const actions = state.actions as ReadonlyArray<Record<string, unknown>>;
  return (
    <>
      <FactList facts={summary} label="opportunity then" />
      <p>
        {actions.length === 0
          ? 'No actions then.'
          : `Actions then: ${actions.map((a) => `${humanize(String(a.actionType ?? a.type ?? 'action'))} ${String(a.status ?? '')}`).join('; ')}.`}
      </p>
      <details>
        <summary>Full state as JSON</summary>
        <pre>{JSON.stringify({ opportunity: state.opportunity, actions: state.actions }, null, 2)}</pre>
      </details>
    </>
  );
}

export interface OpportunityDetailProps {
  readonly api: ApiClient;
  readonly orgId: string;
  readonly opportunity: Opportunity;
  readonly onClose: () => void;
}

/** One opportunity: evidence, its actions with their delivery, its audit timeline and the state as of any entry. */
export function OpportunityDetail({ api, orgId, opportunity, onClose }: OpportunityDetailProps) {
  const id = opportunity.id;
  const [revision, setRevision] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Opening the panel moves the focus to it (on a phone it is below the table).
  useEffect(() => heading.current?.focus(), []);
  const actions = useResource(`actions|${id}`, (signal) =>
    api.get<{ actions: Action[] }>(`/api/revenue/actions/${encodeURIComponent(id)}`, { orgId, signal }).then((r) => r.actions),
  );
  const events = useResource(`events|${id}`, (signal) =>
    api
      .get<{ events: AuditEvent[] }>(`/api/revenue/audit/opportunities/${encodeURIComponent(id)}/events`, { orgId, signal })
      .then((r) => r.events),
  );
  const state = useResource(
    revision === null ? null : `state|${id}|${revision}`,
    (signal) =>
      api.get<StateAsOf>(`/api/revenue/audit/opportunities/${encodeURIComponent(id)}/state`, { orgId, signal, query: { revision } }),
    false,
  );
  return (
    <section className="rd-detail" data-testid="opportunity-detail" aria-labelledby="rd-detail-heading">
      <div className="rd-detail-head">
        <h2 id="rd-detail-heading" ref={heading} tabIndex={-1}>
          {humanize(opportunity.type)} · {formatConfidence(opportunity.confidence)} · {opportunity.status}
        </h2>
        <button type="button" onClick={onClose}>
          Close details
        </button>
      </div>
      <p className="rd-sub">
        {opportunity.id} · from {opportunity.source} · detected {formatTime(opportunity.createdAt)} · rule set{' '}
        {opportunity.ruleSetVersion ?? '—'}
      </p>
      <h3>Evidence</h3>
      <FactList facts={opportunity.evidence} label="evidence" />
      <h3>Actions</h3>
      <Loaded resource={actions} what="actions">
        {(data) => <ActionsTable actions={data} />}
      </Loaded>
      <h3>Timeline</h3>
      <p className="rd-hint">Choose an entry to see the opportunity as it was right after it.</p>
      <Loaded resource={events} what="the timeline">
        {(data) => <Timeline events={data} selected={revision} onSelect={setRevision} />}
      </Loaded>
      {revision === null ? null : (
        <section className="rd-state" data-testid="state-as-of" aria-labelledby="rd-state-heading" aria-live="polite">
          <h3 id="rd-state-heading">State as of revision {revision}</h3>
          <Loaded resource={state} what="the state">
            {(data) => <StateView state={data} />}
          </Loaded>
        </section>
      )}
    </section>
  );
}

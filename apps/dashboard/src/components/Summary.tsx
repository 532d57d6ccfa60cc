import { useId } from 'react';
import type { ApiClient } from '../api';
import { formatCount, formatCredits, formatMoney, formatRate, humanize } from '../format';
import { useResource } from '../hooks';
import { ACTION_STATUSES, EXPANSION_TYPES, OPPORTUNITY_TYPES, type Summary } from '../types';
import { Loaded } from './ui';

function Figure({ label, value, testId, note }: { label: string; value: string; testId: string; note?: string | undefined }) {
  return (
    <div className="rd-figure">
      <dt>{label}</dt>
      <dd>
        <span className="rd-figure-value" data-testid={testId}>
          {value}
        </span>
        {note ? <span className="rd-figure-note">{note}</span> : null}
      </dd>
    </div>
  );
}

function CountCard<K extends string>({
  title,
  keys,
  counts,
  testId,
  label,
}: {
  title: string;
  keys: readonly K[];
  counts: Readonly<Record<K, number>>;
  testId: string;
  label: (key: K) => string;
}) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="rd-card">
      <h3 id={headingId}>{title}</h3>
      <dl>
        {keys.map((key) => (
          <Figure key={key} label={label(key)} value={formatCount(counts[key] ?? 0)} testId={`${testId}-${key}`} />
        ))}
      </dl>
    </section>
  );
}

function SummaryFigures({ summary }: { summary: Summary }) {
  return (
    <div className="rd-figures">
      <section aria-labelledby="rd-mrr-heading" className="rd-card">
        <h3 id="rd-mrr-heading">Potential MRR</h3>
        <dl>
          <Figure label="Total" value={formatMoney(summary.potentialMRR)} testId="figure-potential-mrr" />
          {EXPANSION_TYPES.map((type) => (
            <Figure
              key={type}
              label={humanize(type)}
              value={formatMoney(summary.potentialMRRByType[type] ?? 0)}
              testId={`figure-mrr-${type}`}
            />
          ))}
        </dl>
      </section>
      <CountCard title="Open opportunities" keys={OPPORTUNITY_TYPES} counts={summary.openByType} testId="figure-open" label={humanize} />
      <CountCard
        title="Actions by status"
        keys={ACTION_STATUSES}
        counts={summary.actionsByStatus}
        testId="figure-actions"
        label={(status) => (status === 'proposed' ? 'proposed (pending)' : status)}
      />
      <section aria-labelledby="rd-outcome-heading" className="rd-card">
        <h3 id="rd-outcome-heading">Outcomes and credits</h3>
        <dl>
          <Figure
            label="Acceptance rate"
            value={formatRate(summary.acceptanceRate)}
            testId="figure-acceptance-rate"
            note={
              summary.acceptanceRate === null
                ? 'No action has been accepted or declined yet, so there is no rate.'
                : 'accepted / (accepted + declined)'
            }
          />
          <Figure
            label="Credits reserved"
            value={formatCredits(summary.credits.reserved)}
            testId="figure-credits-reserved"
            note="held by proposed and approved actions"
          />
          <Figure label="Credits charged" value={formatCredits(summary.credits.charged)} testId="figure-credits-charged" />
        </dl>
      </section>
    </div>
  );
}

export function HeadlineFigures({ api, orgId }: { api: ApiClient; orgId: string }) {
  const summary = useResource(`summary|${orgId}`, (signal) =>
    api.get<{ summary: Summary }>('/api/revenue/summary', { orgId, signal }).then((r) => r.summary),
  );
  return (
    <section aria-labelledby="rd-figures-heading">
      <h2 id="rd-figures-heading">Headline figures</h2>
      <Loaded resource={summary} what="headline figures">
        {(data) => <SummaryFigures summary={data} />}
      </Loaded>
    </section>
  );
}

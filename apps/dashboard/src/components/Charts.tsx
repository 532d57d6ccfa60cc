import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'react';
import type { ApiClient } from '../api';
import { formatCount, formatMoney, humanize } from '../format';
import { useResource } from '../hooks';
import { FUNNEL_STEPS, OPPORTUNITY_TYPES, type Series } from '../types';
import { ChartCanvas } from './ChartCanvas';
import { Empty, Loaded } from './ui';

const DAYS = 30;
/** One colour per opportunity type (distinguishable in greyscale too: light to dark). */
const TYPE_COLOURS = ['#9ecae1', '#4292c6', '#08519c', '#fd8d3c', '#a63603'];
const common = { responsive: true, maintainAspectRatio: false, animation: false } as const;

function detectedChart(series: Series): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: series.days.map((d) => d.day.slice(5)),
      datasets: OPPORTUNITY_TYPES.map((type, i) => ({
        label: humanize(type),
        data: series.days.map((d) => d.detected[type] ?? 0),
        backgroundColor: TYPE_COLOURS[i] ?? '#888',
      })),
    },
    options: { ...common, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  };
}

function mrrChart(series: Series): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      labels: series.days.map((d) => d.day.slice(5)),
      datasets: [
        { label: 'Potential MRR', data: series.days.map((d) => d.potentialMRR), borderColor: '#08519c', backgroundColor: '#08519c' },
      ],
    },
    options: { ...common, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
  };
}

function funnelTotals(series: Series): Record<(typeof FUNNEL_STEPS)[number], number> {
  const totals = { proposed: 0, approved: 0, sent: 0, accepted: 0 };
  for (const day of series.days) for (const step of FUNNEL_STEPS) totals[step] += day.funnel[step] ?? 0;
  return totals;
}

function funnelChart(totals: Record<string, number>): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: [...FUNNEL_STEPS],
      datasets: [{ label: 'Actions', data: FUNNEL_STEPS.map((s) => totals[s] ?? 0), backgroundColor: '#4292c6' }],
    },
    options: { ...common, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
}

function SeriesCharts({ series }: { series: Series }) {
  const detected = useMemo(() => detectedChart(series), [series]);
  const mrr = useMemo(() => mrrChart(series), [series]);
  const totals = useMemo(() => funnelTotals(series), [series]);
  const funnel = useMemo(() => funnelChart(totals), [totals]);
  if (series.days.length === 0) return <Empty>No days in the period.</Empty>;
  const last = series.days.at(-1);
  return (
    <div className="rd-charts">
      <ChartCanvas
        label={`Opportunities detected per day by type, ${series.from} to ${series.to}`}
        config={detected}
        fallback={
          <table>
            <caption>Opportunities detected per day by type</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {OPPORTUNITY_TYPES.map((type) => (
                  <th key={type} scope="col">
                    {humanize(type)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {series.days.map((day) => (
                <tr key={day.day}>
                  <th scope="row">{day.day}</th>
                  {OPPORTUNITY_TYPES.map((type) => (
                    <td key={type}>{formatCount(day.detected[type] ?? 0)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
      <ChartCanvas
        label={`Potential MRR at the end of each day, ${series.from} to ${series.to}`}
        config={mrr}
        fallback={
          <p>
            Potential MRR went from {formatMoney(series.days[0]?.potentialMRR ?? 0)} on {series.from} to{' '}
            {formatMoney(last?.potentialMRR ?? 0)} on {series.to}.
          </p>
        }
      />
      <ChartCanvas
        label={`Action funnel over the period: ${FUNNEL_STEPS.map((s) => `${s} ${totals[s]}`).join(', ')}`}
        config={funnel}
        fallback={<p>Over the period: {FUNNEL_STEPS.map((s) => `${formatCount(totals[s])} ${s}`).join(', ')}.</p>}
      />
    </div>
  );
}

export function Charts({ api, orgId }: { api: ApiClient; orgId: string }) {
  const series = useResource(`series|${orgId}`, (signal) =>
    api.get<Series>('/api/revenue/series', { orgId, query: { days: DAYS }, signal }),
  );
  return (
    <section aria-labelledby="rd-charts-heading">
      <h2 id="rd-charts-heading">Last {DAYS} days</h2>
      <Loaded resource={series} what="the time series">
        {(data) => <SeriesCharts series={data} />}
      </Loaded>
    </section>
  );
}

import type { ChartConfiguration } from 'chart.js';
import { type ReactNode, useId, useMemo } from 'react';
import type { ApiClient } from '../api';
import {
  formatConfidence,
  formatCount,
  formatCredits,
  formatMoney,
  formatPoints,
  formatPointsInterval,
  formatRate,
  formatSigned,
  formatSignedInterval,
  formatTime,
  humanize,
} from '../format';
import { useResource } from '../hooks';
import type { EffectArm, EffectInterval, EffectMethod, EffectPlay, EffectReport } from '../types';
import { ChartCanvas } from './ChartCanvas';
import { Empty, Loaded, RefreshHead, TableWrap } from './ui';

const playName = (play: EffectPlay): string => (play.play === 'overall' ? 'Overall' : humanize(play.play));

/** A play whose lift can be shown: enough data and an interval. */
const withLift = (play: EffectPlay): play is EffectPlay & { lift: EffectInterval } => play.enoughData && play.lift !== null;

const ZERO_LINE = '#1b1f24';
const GRID_LINE = 'rgba(0, 0, 0, 0.1)';

/** Horizontal floating bars [low, high] per play with the estimate as a point; the x grid line at 0 is drawn dark (no effect). */
function liftChart(plays: readonly (EffectPlay & { lift: EffectInterval })[], confidence: number): ChartConfiguration<'bar' | 'line'> {
  const points = (value: number) => Number((value * 100).toFixed(2));
  return {
    type: 'bar',
    data: {
      labels: plays.map(playName),
      datasets: [
        {
          type: 'bar',
          label: `${formatConfidence(confidence)} interval`,
          data: plays.map((p) => [points(p.lift.low), points(p.lift.high)]),
          backgroundColor: '#9ecae1',
          borderColor: '#08519c',
          borderWidth: 1,
          barPercentage: 0.5,
          // Chart.js draws higher `order` first: the bars go under the estimates, or they hide the diamonds.
          order: 1,
        },
        {
          type: 'line',
          label: 'Estimate',
          data: plays.map((p) => points(p.lift.estimate)),
          showLine: false,
          pointRadius: 6,
          pointStyle: 'rectRot',
          borderColor: '#a63603',
          backgroundColor: '#a63603',
          order: 0,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: 'y',
      scales: {
        x: {
          // Keeps 0 in range (and so a tick) even when every interval is on one side of it.
          beginAtZero: true,
          title: { display: true, text: 'Lift in conversion rate (percentage points)' },
          grid: {
            color: (context) => (context.tick?.value === 0 ? ZERO_LINE : GRID_LINE),
            lineWidth: (context) => (context.tick?.value === 0 ? 2 : 1),
          },
        },
      },
    },
  };
}

function liftSentence(play: EffectPlay): string {
  return withLift(play)
    ? `${playName(play)} ${formatPoints(play.lift.estimate)} ${formatPointsInterval(play.lift)}`
    : `${playName(play)}: not enough data`;
}

function LiftChart({ plays, method }: { plays: readonly EffectPlay[]; method: EffectMethod }) {
  const shown = useMemo(() => plays.filter(withLift), [plays]);
  const config = useMemo(() => liftChart(shown, method.confidence), [shown, method.confidence]);
  const level = formatConfidence(method.confidence);
  return (
    <>
      <ChartCanvas
        label={`Lift in conversion rate by play with ${level} intervals, in percentage points (0 = no effect): ${plays.map(liftSentence).join('; ')}`}
        config={config}
        fallback={
          <table>
            <caption>Lift in conversion rate by play, percentage points</caption>
            <thead>
              <tr>
                <th scope="col">Play</th>
                <th scope="col">Estimate</th>
                <th scope="col">{level} interval</th>
              </tr>
            </thead>
            <tbody>
              {plays.map((play) => (
                <tr key={play.play}>
                  <th scope="row">{playName(play)}</th>
                  {withLift(play) ? (
                    <>
                      <td>{formatPoints(play.lift.estimate)}</td>
                      <td>{formatPointsInterval(play.lift)}</td>
                    </>
                  ) : (
                    <td colSpan={2}>not enough data</td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
      <p className="rd-hint">
        Each bar is a play&rsquo;s {level} interval for the lift and the diamond its estimate; the dark vertical line is zero (no effect). A
        bar wholly right of it means the play raised conversion; a bar crossing it cannot be told apart from no effect.
        {shown.length < plays.length ? ' Plays without enough data are left out of the chart.' : ''}
      </p>
    </>
  );
}

function ArmsTable({ play }: { play: EffectPlay }) {
  const caption = `${playName(play)}: treatment and control`;
  const arms: readonly [string, EffectArm][] = [
    ['Treatment', play.treatment],
    ['Control (holdout)', play.control],
  ];
  return (
    <TableWrap label={caption}>
      <table className="rd-table">
        <caption className="rd-visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Arm</th>
            <th scope="col">Orgs</th>
            <th scope="col">Conversions</th>
            <th scope="col">Conversion rate</th>
            <th scope="col">Realised MRR</th>
          </tr>
        </thead>
        <tbody>
          {arms.map(([name, arm]) => (
            <tr key={name}>
              <th scope="row" data-label="Arm">
                {name}
              </th>
              <td data-label="Orgs">{formatCount(arm.orgs)}</td>
              <td data-label="Conversions">{formatCount(arm.conversions)}</td>
              <td data-label="Conversion rate">{formatRate(arm.conversionRate)}</td>
              <td data-label="Realised MRR">{formatMoney(arm.realisedMrr)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** An estimate and its interval, each in its own element so either can be read alone. */
function Estimate({ value, interval, testId }: { value: string; interval: string; testId: string }) {
  return (
    <>
      <span className="rd-figure-value" data-testid={testId}>
        {value}
      </span>{' '}
      <span data-testid={`${testId}-interval`}>{interval}</span>
    </>
  );
}

/** The estimates of a play with enough data. */
function Estimates({ play, level }: { play: EffectPlay & { lift: EffectInterval }; level: string }) {
  const { incrementalConversions: conversions, incrementalMrr: mrr } = play;
  return (
    <>
      <Fact label={`Lift (${level} interval)`}>
        <span className="rd-figure-value" data-testid="effect-lift">
          {formatPoints(play.lift.estimate)}
        </span>{' '}
        <span data-testid="effect-interval">{formatPointsInterval(play.lift)}</span>
      </Fact>
      {conversions ? (
        <Fact label="Incremental conversions">
          <Estimate
            value={formatSigned(conversions.estimate, 1)}
            interval={formatSignedInterval(conversions, 1)}
            testId="effect-incremental-conversions"
          />
        </Fact>
      ) : null}
      {mrr ? (
        <Fact label="Incremental MRR">
          <Estimate value={formatSigned(mrr.estimate, 2)} interval={formatSignedInterval(mrr, 2)} testId="effect-incremental-mrr" />
        </Fact>
      ) : null}
    </>
  );
}

function PlaySection({ play, method }: { play: EffectPlay; method: EffectMethod }) {
  const headingId = useId();
  const level = formatConfidence(method.confidence);
  return (
    <section className="rd-card rd-effect-play" aria-labelledby={headingId} data-testid="effect-play" data-play={play.play}>
      <h3 id={headingId}>{playName(play)}</h3>
      {play.experimentId ? (
        <p className="rd-sub">
          Experiment <code>{play.experimentId}</code>
          {play.holdoutShare === null ? '' : `, holdout share ${formatRate(play.holdoutShare)}`}
        </p>
      ) : null}
      <ArmsTable play={play} />
      {withLift(play) ? null : (
        <p className="rd-effect-verdict" data-testid="effect-not-enough-data">
          {play.notEnoughDataReason ?? 'Not enough data to estimate the effect.'}
        </p>
      )}
      <dl className="rd-facts">
        {withLift(play) ? <Estimates play={play} level={level} /> : null}
        <Fact label="Credits spent (treatment)">
          <span className="rd-figure-value" data-testid="effect-credits">
            {formatCredits(play.creditsSpent)}
          </span>
        </Fact>
        {withLift(play) ? (
          <Fact label="Incremental MRR per credit">
            <span className="rd-figure-value" data-testid="effect-mrr-per-credit">
              {play.incrementalMrrPerCredit === null ? '—' : formatMoney(play.incrementalMrrPerCredit)}
            </span>
          </Fact>
        ) : null}
        {play.minimumDetectableEffect === null ? null : (
          <Fact label={`Minimum detectable effect (power ${formatConfidence(method.power)})`}>
            <span className="rd-figure-value" data-testid="effect-mde">
              {formatPoints(play.minimumDetectableEffect, false)}
            </span>
          </Fact>
        )}
      </dl>
    </section>
  );
}

function MethodBlock({ report }: { report: EffectReport }) {
  const { method } = report;
  return (
    <section className="rd-card rd-effect-method" aria-labelledby="rd-effect-method-heading" data-testid="effect-method">
      <h3 id="rd-effect-method-heading">Method</h3>
      {/* The API's text names the caveat itself ("fixed horizon: ..."); a label in front of it would say it twice. */}
      <p className="rd-effect-caveat">{method.horizon}</p>
      <dl className="rd-facts">
        <Fact label={`Lift and its ${formatConfidence(method.confidence)} interval`}>{method.lift}</Fact>
        <Fact label="Incremental MRR">{method.incrementalMrr}</Fact>
        <Fact label="Minimum detectable effect">{method.minimumDetectableEffect}</Fact>
        <Fact label="Minimum sample">{formatCount(method.minimumSamplePerArm)} orgs per arm</Fact>
        <Fact label="Observation window">{formatCount(report.observationWindowDays)} days</Fact>
      </dl>
    </section>
  );
}

function Report({ report }: { report: EffectReport }) {
  const rows = useMemo(() => [...report.plays, report.overall], [report]);
  return (
    <>
      <p className="rd-sub">Generated {formatTime(report.generatedAt)}, across all orgs.</p>
      <MethodBlock report={report} />
      {report.plays.length === 0 ? <Empty>No play has observations yet.</Empty> : null}
      <LiftChart plays={rows} method={report.method} />
      <div className="rd-effect-plays">
        {rows.map((play) => (
          <PlaySection key={play.play} play={play} method={report.method} />
        ))}
      </div>
    </>
  );
}

/** For analytics:read tokens: each play's measured uplift against its holdout, fleet-wide (no org). */
export function EffectView({ api }: { api: ApiClient }) {
  const report = useResource('effect', (signal) => api.get<EffectReport>('/api/analytics/effect', { signal }));
  return (
    <section aria-labelledby="rd-effect-heading" className="rd-effect">
      <RefreshHead id="rd-effect-heading" title="Effect" level={2} onRefresh={report.reload} />
      <Loaded resource={report} what="the effect report">
        {(data) => <Report report={data} />}
      </Loaded>
    </section>
  );
}

import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { createApiClient } from '../api';
import { RevenueDashboard } from '../RevenueDashboard';
import { BASE, type Call, fakeToken, json, OPERATOR_TOKEN, problem, stubFetch } from '../test-support/fetch-stub';
import type { EffectPlay, EffectReport } from '../types';
import { EffectView } from './Effect';

const ANALYST_TOKEN = fakeToken({ sub: 'analyst-bo', role: 'service_role', scope: 'analytics:read' });
const OPERATOR_ANALYST_TOKEN = fakeToken({ sub: 'operator-cy', role: 'service_role', scope: 'maos:read analytics:read' });
const api = createApiClient(BASE, () => 'analyst-token');

const METHOD = {
  lift: "Newcombe's hybrid score interval (method 10) for the difference of two proportions",
  incrementalMrr: 'Welch interval for the difference of mean MRR per org, times the treatment orgs',
  minimumDetectableEffect: 'two-sided z test, normal approximation',
  horizon: 'Fixed horizon: read once at the end of the window; peeking daily inflates false positives.',
  minimumSamplePerArm: 100,
  confidence: 0.95,
  power: 0.8,
} as const;

const upsell: EffectPlay = {
  play: 'upsell',
  experimentId: 'upsell-2026-12',
  holdoutShare: 0.1,
  treatment: { orgs: 900, conversions: 72, conversionRate: 0.08, realisedMrr: 5400 },
  control: { orgs: 100, conversions: 5, conversionRate: 0.05, realisedMrr: 250 },
  enoughData: true,
  notEnoughDataReason: null,
  lift: { estimate: 0.03, low: -0.0123, high: 0.0589 },
  incrementalConversions: { estimate: 27, low: -11.07, high: 53.01 },
  incrementalMrr: { estimate: 3150, low: 1200.5, high: 5100.25 },
  creditsSpent: 18,
  incrementalMrrPerCredit: 175,
  minimumDetectableEffect: 0.0712,
};

const crossSell: EffectPlay = {
  play: 'cross_sell',
  experimentId: 'cross-sell-2026-12',
  holdoutShare: 0.1,
  treatment: { orgs: 300, conversions: 9, conversionRate: 0.03, realisedMrr: 450 },
  control: { orgs: 34, conversions: 1, conversionRate: 0.0294, realisedMrr: 40 },
  enoughData: false,
  notEnoughDataReason: 'not enough data: 34 control orgs observed, at least 100 per arm needed',
  lift: null,
  incrementalConversions: null,
  incrementalMrr: null,
  creditsSpent: 6,
  incrementalMrrPerCredit: null,
  minimumDetectableEffect: null,
};

const overall: EffectPlay = {
  ...upsell,
  play: 'overall',
  experimentId: null,
  holdoutShare: null,
  treatment: { orgs: 1200, conversions: 81, conversionRate: 0.0675, realisedMrr: 5850 },
  control: { orgs: 134, conversions: 6, conversionRate: 0.0448, realisedMrr: 290 },
  lift: { estimate: 0.0227, low: 0.0004, high: 0.0431 },
};

const report = (plays: readonly EffectPlay[] = [upsell, crossSell]): EffectReport => ({
  generatedAt: '2026-12-01T18:00:00.000Z',
  method: METHOD,
  observationWindowDays: 30,
  plays,
  overall,
});

function effectService(answer: () => Response = () => json(report())): Call[] {
  return stubFetch(({ path }) => {
    if (path === '/api/analytics/effect') return answer();
    if (path === '/api/maos/orgs') return json({ items: [], nextCursor: null });
    return problem(404, 'Not Found', `no stub for ${path}`);
  });
}

const playSection = async (play: string) => within((await screen.findAllByTestId('effect-play')).find((s) => s.dataset.play === play)!);

describe('effect view', () => {
  it('shows each play and overall: arms, lift with its interval, incremental figures, credits, MDE and the method', async () => {
    const calls = effectService();
    render(<EffectView api={api} />);
    const sections = await screen.findAllByTestId('effect-play');
    expect(sections.map((s) => s.dataset.play)).toEqual(['upsell', 'cross_sell', 'overall']);

    const up = await playSection('upsell');
    expect(up.getByRole('heading').textContent).toBe('upsell');
    expect(up.getByTestId('effect-lift').textContent).toBe('+3.0 pp');
    expect(up.getByTestId('effect-interval').textContent).toBe('[-1.2, +5.9] pp');
    expect(up.getByTestId('effect-incremental-conversions').textContent).toBe('+27.0');
    expect(up.getByTestId('effect-incremental-conversions-interval').textContent).toBe('[-11.1, +53.0]');
    expect(up.getByTestId('effect-incremental-mrr').textContent).toBe('+3150.00');
    expect(up.getByTestId('effect-incremental-mrr-interval').textContent).toBe('[+1200.50, +5100.25]');
    expect(up.getByTestId('effect-credits').textContent).toBe('18.00');
    expect(up.getByTestId('effect-mrr-per-credit').textContent).toBe('175.00');
    expect(up.getByTestId('effect-mde').textContent).toBe('7.1 pp');
    expect(up.queryByTestId('effect-not-enough-data')).toBeNull();
    const arms = up.getAllByRole('row').slice(1);
    expect(
      arms.map((row) =>
        within(row)
          .getAllByRole('cell')
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ['900', '72', '8.0%', '5400.00'],
      ['100', '5', '5.0%', '250.00'],
    ]);

    const all = await playSection('overall');
    expect(all.getByRole('heading').textContent).toBe('Overall');
    expect(all.getByTestId('effect-interval').textContent).toBe('[0.0, +4.3] pp');

    const method = screen.getByTestId('effect-method');
    expect(method.textContent).toContain(METHOD.lift);
    expect(method.textContent).toContain(METHOD.horizon);
    expect(method.textContent).toContain('100 orgs per arm');
    expect(method.textContent).toContain('30 days');

    const chart = screen.getByRole('img');
    expect(chart.getAttribute('aria-label')).toContain('upsell +3.0 pp [-1.2, +5.9] pp');
    expect(chart.getAttribute('aria-label')).toContain('cross sell: not enough data');
    expect(screen.getByText(/the dark vertical line is zero \(no effect\)/)).toBeTruthy();

    const [call] = calls;
    expect(calls).toHaveLength(1);
    expect(call!.headers.get('Authorization')).toBe('Bearer analyst-token');
    expect(call!.headers.get('X-Org-Id')).toBeNull();
  });

  it('keeps the arms of a play without enough data but shows the reason instead of its lift', async () => {
    effectService();
    render(<EffectView api={api} />);
    const cross = await playSection('cross_sell');
    expect(cross.getByTestId('effect-not-enough-data').textContent).toBe(crossSell.notEnoughDataReason);
    expect(cross.queryByTestId('effect-lift')).toBeNull();
    expect(cross.queryByTestId('effect-interval')).toBeNull();
    expect(cross.queryByTestId('effect-incremental-mrr')).toBeNull();
    expect(cross.queryByText(/pp/)).toBeNull();
    expect(
      cross
        .getAllByRole('row')
        .slice(1)
        .map((row) => within(row).getAllByRole('cell')[0]!.textContent),
    ).toEqual(['300', '34']);
    expect(cross.getByTestId('effect-credits').textContent).toBe('6.00');
    const hiddenTable = within(screen.getByRole('table', { name: 'Lift in conversion rate by play, percentage points' }));
    expect(hiddenTable.getByRole('rowheader', { name: 'cross sell' }).parentElement!.textContent).toContain('not enough data');
  });

  it('shows a refusal as the problem’s detail', async () => {
    effectService(() => problem(403, 'Forbidden', 'This token lacks the analytics:read scope.'));
    render(<EffectView api={api} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Forbidden (403): This token lacks the analytics:read scope.');
    expect(screen.queryByTestId('effect-play')).toBeNull();
  });
});

describe('effect in the dashboard', () => {
  it('is offered to a token with analytics:read, without choosing an org first', async () => {
    const calls = effectService();
    render(<RevenueDashboard apiBaseUrl={BASE} getToken={() => ANALYST_TOKEN} />);
    expect((await screen.findByTestId('nav-effect')).getAttribute('aria-current')).toBe('page');
    expect(screen.getByTestId('nav-effect').textContent).toBe('Effect');
    expect(await screen.findAllByTestId('effect-play')).toHaveLength(3);
    expect(screen.queryByTestId('nav-overview')).toBeNull();
    expect(calls.map((c) => c.path)).toEqual(['/api/analytics/effect']);
    expect(window.location.hash).toBe('#view=effect');
  });

  it('sits beside the operator views (reached by its button or the view=effect link), and is absent without analytics:read', async () => {
    effectService();
    const first = render(<RevenueDashboard apiBaseUrl={BASE} getToken={() => OPERATOR_ANALYST_TOKEN} />);
    await userEvent.setup().click(await screen.findByTestId('nav-effect'));
    expect(await screen.findAllByTestId('effect-play')).toHaveLength(3);
    expect(screen.queryByTestId('org-search')).toBeNull();
    first.unmount();

    window.history.replaceState(null, '', '/#view=effect');
    const linked = render(<RevenueDashboard apiBaseUrl={BASE} getToken={() => OPERATOR_ANALYST_TOKEN} />);
    expect((await screen.findByTestId('nav-effect')).getAttribute('aria-current')).toBe('page');
    expect(await screen.findByTestId('effect-method')).toBeTruthy();
    linked.unmount();

    window.history.replaceState(null, '', '/#view=effect');
    render(<RevenueDashboard apiBaseUrl={BASE} getToken={() => OPERATOR_TOKEN} />);
    expect((await screen.findByTestId('nav-overview')).getAttribute('aria-current')).toBe('page');
    expect(screen.queryByTestId('nav-effect')).toBeNull();
    expect(screen.queryByTestId('effect-method')).toBeNull();
  });
});

import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { RevenueDashboard } from './RevenueDashboard';
import { BASE, type Call, fakeToken, json, OPERATOR_TOKEN, OPS_TOKEN, problem, stubFetch, USER_TOKEN } from './test-support/fetch-stub';
import { ORG } from './test-support/fixtures';
import { REMEMBER_KEY } from './token';

const OTHER_ORG = '2a8b4c1d-0000-4000-8000-000000000002';
const MEMBER_ORG = '3c8b4c1d-0000-4000-8000-000000000003';

const summary = {
  potentialMRR: 45.5,
  potentialMRRByType: { upsell: 30, cross_sell: 10, feature_expansion: 5.5 },
  openByType: { upsell: 2, cross_sell: 1, feature_expansion: 1, retention_intervention: 3, credit_marketplace_offer: 0 },
  actionsByStatus: { proposed: 4, approved: 1, rejected: 0, sent: 2, failed: 1, accepted: 0, declined: 0, expired: 0 },
  acceptanceRate: null,
  credits: { reserved: 0.08, charged: 1.5 },
};

const day = (d: string) => ({
  day: d,
  detected: { upsell: 1, cross_sell: 0, feature_expansion: 0, retention_intervention: 0, credit_marketplace_offer: 0 },
  potentialMRR: 45.5,
  funnel: { proposed: 2, approved: 1, rejected: 0, sent: 1, failed: 0, accepted: 0, declined: 0, expired: 0 },
});

/** The service for a user who owns ORG, administers OTHER_ORG and is a plain member of MEMBER_ORG. */
function userService(
  orgs = [
    { orgId: ORG, name: 'Demo org 1', role: 'owner', canReadRevenue: true },
    { orgId: OTHER_ORG, name: 'Demo org 2', role: 'admin', canReadRevenue: true },
    { orgId: MEMBER_ORG, name: 'Demo org 3', role: 'member', canReadRevenue: false },
  ],
): Call[] {
  return stubFetch(({ path, params }) => {
    if (path === '/api/me/orgs') {
      const search = (params.get('search') ?? '').toLowerCase();
      const items = orgs.filter((o) => o.name.toLowerCase().includes(search));
      return json({ items, orgs: items.map(({ orgId, role }) => ({ orgId, role })), nextCursor: null });
    }
    if (path === '/api/revenue/summary') return json({ success: true, summary });
    if (path === '/api/revenue/series')
      return json({ success: true, from: '2026-11-30', to: '2026-12-01', days: [day('2026-11-30'), day('2026-12-01')] });
    return problem(404, 'Not Found', `no stub for ${path}`);
  });
}

async function signIn(token: string, remember = false) {
  const user = userEvent.setup();
  await user.click(screen.getByTestId('token-input'));
  await user.paste(token);
  if (remember) await user.click(screen.getByLabelText('Remember on this device'));
  await user.click(screen.getByTestId('sign-in'));
  return user;
}

describe('sign-in', () => {
  it('keeps the token in memory only unless asked to remember it', async () => {
    const calls = userService();
    render(<RevenueDashboard apiBaseUrl={BASE} />);
    expect((screen.getByLabelText('Remember on this device') as HTMLInputElement).checked).toBe(false);
    await signIn(USER_TOKEN);
    await screen.findAllByTestId('org-option');
    expect(window.localStorage.getItem(REMEMBER_KEY)).toBeNull();
    expect(calls[0]!.headers.get('Authorization')).toBe(`Bearer ${USER_TOKEN}`);
    expect(screen.getAllByRole('button', { name: /^(Overview|Opportunities|Approvals|Operations)$/ }).map((b) => b.textContent)).toEqual([
      'Overview',
      'Opportunities',
    ]);
  });

  it('remembers the token on this device when ticked, and forgets it on sign-out', async () => {
    userService();
    const first = render(<RevenueDashboard apiBaseUrl={BASE} />);
    await signIn(USER_TOKEN, true);
    await screen.findAllByTestId('org-option');
    expect(window.localStorage.getItem(REMEMBER_KEY)).toBe(USER_TOKEN);
    first.unmount();

    render(<RevenueDashboard apiBaseUrl={BASE} />);
    expect(screen.queryByTestId('token-input')).toBeNull();
    await screen.findAllByTestId('org-option');
    await userEvent.setup().click(screen.getByTestId('sign-out'));
    expect(window.localStorage.getItem(REMEMBER_KEY)).toBeNull();
    expect(screen.getByTestId('token-input')).toBeTruthy();
  });

  it('refuses what is not a usable token, saying why', async () => {
    stubFetch(() => problem(500, 'Internal Server Error', 'not expected'));
    render(<RevenueDashboard apiBaseUrl={BASE} />);
    await signIn('not-a-token');
    expect(screen.getByRole('alert').textContent).toBe('This is not a JWT (three dot-separated parts).');
    await userEvent.setup().clear(screen.getByTestId('token-input'));
    await signIn(fakeToken({ sub: 'x', role: 'service_role', scope: 'maos:dispatch' }));
    expect(screen.getByRole('alert').textContent).toContain('grants no dashboard view');
  });

  it('offers an operator the operator views and approvals, and ops:read the operations', async () => {
    stubFetch(({ path }) =>
      path === '/api/maos/orgs'
        ? json({ items: [{ orgId: ORG, name: 'Demo org 1' }], nextCursor: null })
        : json({ items: [], nextCursor: null }),
    );
    const first = render(<RevenueDashboard apiBaseUrl={BASE} />);
    await signIn(OPERATOR_TOKEN);
    expect(['nav-overview', 'nav-opportunities', 'nav-approvals'].every((id) => screen.queryByTestId(id))).toBe(true);
    expect(screen.queryByTestId('nav-operations')).toBeNull();
    expect(await screen.findByText('Demo org 1')).toBeTruthy();
    first.unmount();

    render(<RevenueDashboard apiBaseUrl={BASE} />);
    await signIn(OPS_TOKEN);
    expect(screen.getByTestId('nav-operations').getAttribute('aria-current')).toBe('page');
    expect(screen.queryByTestId('nav-approvals')).toBeNull();
    expect(await screen.findAllByText('Nothing to show.')).toHaveLength(4);
  });

  it('skips the sign-in when the host app provides the token', async () => {
    const calls = userService();
    render(<RevenueDashboard apiBaseUrl={BASE} getToken={async () => USER_TOKEN} />);
    await screen.findAllByTestId('org-option');
    expect(screen.queryByTestId('token-input')).toBeNull();
    expect(screen.queryByTestId('sign-out')).toBeNull();
    expect(calls[0]!.headers.get('Authorization')).toBe(`Bearer ${USER_TOKEN}`);
  });
});

describe('org picker and headline figures', () => {
  it('offers only readable orgs, searches by name, opens the chosen org and keeps it in the address', async () => {
    const calls = userService();
    render(<RevenueDashboard apiBaseUrl={BASE} />);
    const user = await signIn(USER_TOKEN);
    const options = await screen.findAllByTestId('org-option');
    expect(options.map((o) => (o as HTMLButtonElement).disabled)).toEqual([false, false, true]);
    await user.type(screen.getByTestId('org-search'), 'org 2');
    await waitFor(() => expect(screen.getAllByTestId('org-option')).toHaveLength(1));
    expect(
      calls
        .filter((c) => c.path === '/api/me/orgs')
        .at(-1)!
        .params.get('search'),
    ).toBe('org 2');
    await user.click(screen.getByTestId('org-option'));
    expect((await screen.findByTestId('figure-potential-mrr')).textContent).toBe('45.50');
    expect(window.location.hash).toBe(`#org=${OTHER_ORG}&view=overview`);
    expect(calls.find((c) => c.path === '/api/revenue/summary')!.headers.get('X-Org-Id')).toBe(OTHER_ORG);
    expect(calls.find((c) => c.path === '/api/revenue/series')!.params.get('days')).toBe('30');
  });

  it('shows each headline figure formatted, the missing acceptance rate explained', async () => {
    userService();
    window.history.replaceState(null, '', `/dashboard/#org=${ORG}`);
    render(<RevenueDashboard apiBaseUrl={BASE} getToken={() => USER_TOKEN} />);
    const text = async (id: string) => (await screen.findByTestId(id)).textContent;
    expect(await text('figure-potential-mrr')).toBe('45.50');
    expect(await text('figure-mrr-feature_expansion')).toBe('5.50');
    expect(await text('figure-open-retention_intervention')).toBe('3');
    expect(await text('figure-actions-proposed')).toBe('4');
    expect(await text('figure-actions-failed')).toBe('1');
    expect(await text('figure-acceptance-rate')).toBe('—');
    expect(screen.getByText('No action has been accepted or declined yet, so there is no rate.')).toBeTruthy();
    expect(await text('figure-credits-reserved')).toBe('0.08');
    expect(await text('figure-credits-charged')).toBe('1.50');
    const charts = await screen.findAllByRole('img');
    expect(charts.map((c) => c.getAttribute('aria-label'))).toEqual([
      'Opportunities detected per day by type, 2026-11-30 to 2026-12-01',
      'Potential MRR at the end of each day, 2026-11-30 to 2026-12-01',
      'Action funnel over the period: proposed 4, approved 2, sent 2, accepted 0',
    ]);
    expect(within(screen.getByRole('table', { name: 'Opportunities detected per day by type' })).getAllByRole('row')).toHaveLength(3);
  });

  it('tells a user who may read no org why', async () => {
    userService([{ orgId: MEMBER_ORG, name: 'Demo org 3', role: 'member', canReadRevenue: false }]);
    render(<RevenueDashboard apiBaseUrl={BASE} />);
    await signIn(USER_TOKEN);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'You are a member of these organizations but not an owner or admin of any: only owners and admins may read revenue data.',
    );
  });

  it('pages an operator’s orgs with “More organizations”, keeping the ones already listed', async () => {
    const calls = stubFetch(({ params }) =>
      params.get('cursor') === 'n2'
        ? json({ items: [{ orgId: OTHER_ORG, name: 'Beta' }], nextCursor: null })
        : json({ items: [{ orgId: ORG, name: 'Alpha' }], nextCursor: 'n2' }),
    );
    render(<RevenueDashboard apiBaseUrl={BASE} />);
    const user = await signIn(OPERATOR_TOKEN);
    await screen.findAllByTestId('org-option');
    await user.click(screen.getByRole('button', { name: 'More organizations' }));
    await waitFor(() => expect(screen.getAllByTestId('org-option').map((o) => o.textContent)).toEqual(['Alpha', 'Beta']));
    expect(calls.map((c) => `${c.path}?${c.params}`)).toEqual(['/api/maos/orgs?limit=25', '/api/maos/orgs?limit=25&cursor=n2']);
    expect(screen.queryByRole('button', { name: 'More organizations' })).toBeNull();
  });
});

import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { createApiClient } from '../api';
import { BASE, type Call, json, problem, stubFetch } from '../test-support/fetch-stub';
import { action, auditEvent, opportunity, opportunityPage, ORG } from '../test-support/fixtures';
import { OpportunitiesView } from './Opportunities';

const api = createApiClient(BASE, () => 'user-token');
const listCalls = (calls: readonly Call[]) => calls.filter((c) => c.path === '/api/revenue/opportunities');
const lastParams = (calls: readonly Call[]) => Object.fromEntries(listCalls(calls).at(-1)!.params);

/** Three pages behind cursors c1 and c2, whatever the filters; each row says which page it is on. */
function pagedService(): Call[] {
  return stubFetch(({ path, params }) => {
    if (path !== '/api/revenue/opportunities') return problem(404, 'Not Found', `no stub for ${path}`);
    const cursor = params.get('cursor');
    if (cursor === null) return json(opportunityPage([opportunity(1), opportunity(2, { type: 'cross_sell', confidence: 0.5 })], 'c1'));
    if (cursor === 'c1') return json(opportunityPage([opportunity(3)], 'c2'));
    return json(opportunityPage([opportunity(4, { status: 'won' })], null));
  });
}

describe('opportunities table', () => {
  it('renders a page of rows: type, confidence, source, evidence, status, age', async () => {
    const calls = pagedService();
    render(<OpportunitiesView api={api} orgId={ORG} />);
    const rows = await screen.findAllByTestId('opportunity-row');
    expect(rows.map((r) => r.dataset.id)).toEqual([opportunity(1).id, opportunity(2).id]);
    const second = within(rows[1]!);
    expect(second.getByRole('button', { name: /cross sell/ })).toBeTruthy();
    expect(second.getByText('50%')).toBeTruthy();
    expect(second.getByText('usage_analysis')).toBeTruthy();
    expect(second.getByText('seatsUsed: 48, seatLimit: 50')).toBeTruthy();
    expect(second.getByText('open')).toBeTruthy();
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Type',
      'Confidence',
      'Source',
      'Evidence',
      'Status',
      'Age',
    ]);
    const [first] = listCalls(calls);
    expect(first!.headers.get('Authorization')).toBe('Bearer user-token');
    expect(first!.headers.get('X-Org-Id')).toBe(ORG);
    expect(Object.fromEntries(first!.params)).toEqual({ sort: 'confidence', limit: '25' });
  });

  it('asks the API for the chosen sort, type and status (never filtering in the browser)', async () => {
    const calls = pagedService();
    const user = userEvent.setup();
    render(<OpportunitiesView api={api} orgId={ORG} />);
    await screen.findAllByTestId('opportunity-row');
    await user.selectOptions(screen.getByTestId('sort'), 'newest');
    await screen.findAllByTestId('opportunity-row');
    expect(lastParams(calls)).toEqual({ sort: 'newest', limit: '25' });
    await user.selectOptions(screen.getByLabelText('Type'), 'cross_sell');
    expect(lastParams(calls)).toEqual({ type: 'cross_sell', sort: 'newest', limit: '25' });
    await user.selectOptions(screen.getByTestId('filter-status'), 'won');
    expect(lastParams(calls)).toEqual({ type: 'cross_sell', status: 'won', sort: 'newest', limit: '25' });
    await user.selectOptions(screen.getByTestId('filter-type'), '');
    expect(lastParams(calls)).toEqual({ status: 'won', sort: 'newest', limit: '25' });
  });

  it('pages with the cursors the API returned, Previous going back through them', async () => {
    const calls = pagedService();
    const user = userEvent.setup();
    render(<OpportunitiesView api={api} orgId={ORG} />);
    await screen.findAllByTestId('opportunity-row');
    const prev = screen.getByTestId('page-prev') as HTMLButtonElement;
    expect(prev.disabled).toBe(true);
    await user.click(screen.getByTestId('page-next'));
    expect(await screen.findByText('Page 2')).toBeTruthy();
    expect((await screen.findAllByTestId('opportunity-row')).map((r) => r.dataset.id)).toEqual([opportunity(3).id]);
    expect(lastParams(calls).cursor).toBe('c1');
    await user.click(screen.getByTestId('page-next'));
    await screen.findByText('Page 3');
    expect(lastParams(calls).cursor).toBe('c2');
    expect((screen.getByTestId('page-next') as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByTestId('page-prev'));
    await screen.findByText('Page 2');
    expect(lastParams(calls).cursor).toBe('c1');
    await user.click(screen.getByTestId('page-prev'));
    await screen.findByText('Page 1');
    expect(lastParams(calls).cursor).toBeUndefined();
    expect(listCalls(calls)).toHaveLength(5);
  });

  it('starts again at the first page when a filter changes (a cursor belongs to its query)', async () => {
    const calls = pagedService();
    const user = userEvent.setup();
    render(<OpportunitiesView api={api} orgId={ORG} />);
    await screen.findAllByTestId('opportunity-row');
    await user.click(screen.getByTestId('page-next'));
    await screen.findByText('Page 2');
    await user.selectOptions(screen.getByTestId('sort'), 'oldest');
    await screen.findByText('Page 1');
    expect(lastParams(calls)).toEqual({ sort: 'oldest', limit: '25' });
  });

  it('says so when no opportunity matches, and shows a problem’s detail', async () => {
    stubFetch(({ params }) =>
      params.get('type') === 'upsell'
        ? problem(400, 'Bad Request', 'cursor does not belong to this sort')
        : json(opportunityPage([], null)),
    );
    const user = userEvent.setup();
    render(<OpportunitiesView api={api} orgId={ORG} />);
    expect(await screen.findByText('No opportunity matches these filters.')).toBeTruthy();
    await user.selectOptions(screen.getByTestId('filter-type'), 'upsell');
    expect((await screen.findByRole('alert')).textContent).toContain('cursor does not belong to this sort');
  });
});

describe('opportunity detail', () => {
  it('shows evidence, actions with their delivery, the timeline and the state as of a chosen entry', async () => {
    const opp = opportunity(1);
    const calls = stubFetch(({ path, params }) => {
      if (path === '/api/revenue/opportunities') return json(opportunityPage([opp], null));
      if (path === `/api/revenue/actions/${opp.id}`) return json({ success: true, actions: [action(opp.id)] });
      if (path === `/api/revenue/audit/opportunities/${opp.id}/events`) {
        return json({
          success: true,
          events: [
            auditEvent(0, 'revenue.opportunity-detected.v1'),
            auditEvent(1, 'revenue.action-approved.v1', { actor: { kind: 'service', id: 'operator-ada' }, command: 'ApproveAction' }),
          ],
        });
      }
      if (path === `/api/revenue/audit/opportunities/${opp.id}/state`) {
        return json({
          success: true,
          revision: params.get('revision'),
          opportunity: { status: 'open', confidence: 0.85 },
          actions: [{ actionType: 'offer_upgrade', status: 'proposed' }],
        });
      }
      return problem(404, 'Not Found', path);
    });
    const user = userEvent.setup();
    render(<OpportunitiesView api={api} orgId={ORG} />);
    await user.click(await screen.findByRole('button', { name: `Open upsell opportunity ${opp.id}` }));
    const detail = within(screen.getByTestId('opportunity-detail'));
    expect(detail.getByText('seatsUsed')).toBeTruthy();
    expect(await detail.findByText('retrying via webhook')).toBeTruthy();
    expect(detail.getByText('HTTP 502')).toBeTruthy();
    const entries = await detail.findAllByTestId('timeline-entry');
    expect(entries.map((e) => e.dataset.revision)).toEqual(['0', '1']);
    expect(entries[1]!.textContent).toContain('by service:operator-ada');
    expect(entries[1]!.textContent).toContain('command ApproveAction');
    expect(entries[1]!.textContent).toContain('rule set rules-2026-11');
    await user.click(within(entries[1]!).getByRole('button'));
    const state = within(await screen.findByTestId('state-as-of'));
    expect(state.getByRole('heading').textContent).toBe('State as of revision 1');
    expect(await state.findByText('Actions then: offer upgrade proposed.')).toBeTruthy();
    const stateCall = calls.find((c) => c.path.endsWith('/state'))!;
    expect(stateCall.params.get('revision')).toBe('1');
    expect(stateCall.headers.get('X-Org-Id')).toBe(ORG);
  });
});

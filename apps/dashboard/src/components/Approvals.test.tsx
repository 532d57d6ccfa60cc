import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { createApiClient } from '../api';
import { BASE, type Call, json, problem, stubFetch } from '../test-support/fetch-stub';
import { approval } from '../test-support/fixtures';
import type { PendingApproval } from '../types';
import { ApprovalsView } from './Approvals';

const api = createApiClient(BASE, () => 'operator-token');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const queueReads = (calls: readonly Call[]) => calls.filter((c) => c.method === 'GET' && c.path === '/api/maos/approvals');
const commands = (calls: readonly Call[]) => calls.filter((c) => c.method === 'POST');

/**
 * The queue as the service keeps it: a successful command removes the action once a read
 * includes its position; `answer` may answer a command differently (a conflict, a failure).
 */
function queueService(initial: PendingApproval[], answer?: (call: Call) => Response | undefined): Call[] {
  let pending = [...initial];
  let written = 0;
  return stubFetch((call) => {
    if (call.method === 'GET' && call.path === '/api/maos/approvals') return json({ items: pending, nextCursor: null });
    const decided = /^\/api\/maos\/actions\/([^/]+)\/(approve|reject)$/.exec(call.path);
    if (call.method !== 'POST' || !decided) return problem(404, 'Not Found', call.path);
    const special = answer?.(call);
    if (special) return special;
    written += 1;
    pending = pending.filter((p) => p.actionId !== decided[1]);
    return json({
      success: true,
      actionId: decided[1],
      status: decided[2] === 'approve' ? 'approved' : 'rejected',
      position: `${900 + written}-${900 + written}`,
      revision: '99',
    });
  });
}

const rowOf = (n: number) => within(screen.getAllByTestId('approval-row').find((r) => r.dataset.actionId === approval(n).actionId)!);

describe('approvals', () => {
  it('approve sends an Idempotency-Key and If-Match, then re-reads at the command’s position and the row leaves', async () => {
    const calls = queueService([approval(1), approval(2)]);
    const user = userEvent.setup();
    render(<ApprovalsView api={api} canApprove />);
    await screen.findAllByTestId('approval-row');
    await user.click(rowOf(1).getByTestId('approve'));
    await screen.findByText(/Approved offer upgrade for Demo org 1/);
    const [command] = commands(calls);
    expect(command!.path).toBe(`/api/maos/actions/${approval(1).actionId}/approve`);
    expect(command!.headers.get('Idempotency-Key')).toMatch(UUID);
    expect(command!.headers.get('If-Match')).toBe('"11"');
    expect(command!.headers.get('Authorization')).toBe('Bearer operator-token');
    await waitFor(() => expect(screen.getAllByTestId('approval-row').map((r) => r.dataset.actionId)).toEqual([approval(2).actionId]));
    expect(queueReads(calls).map((c) => c.headers.get('X-Min-Position'))).toEqual([null, '901-901']);
  });

  it('reject requires a reason (non-empty, at most 500 characters) before anything is sent', async () => {
    const calls = queueService([approval(1)]);
    const user = userEvent.setup();
    render(<ApprovalsView api={api} canApprove />);
    await screen.findAllByTestId('approval-row');
    await user.click(rowOf(1).getByTestId('reject'));
    expect(rowOf(1).getByTestId('row-message').textContent).toBe('Give a reason to reject this action.');
    await user.type(rowOf(1).getByTestId('reject-reason'), '   ');
    await user.click(rowOf(1).getByTestId('reject'));
    expect(rowOf(1).getByTestId('row-message').textContent).toBe('Give a reason to reject this action.');
    await user.clear(rowOf(1).getByTestId('reject-reason'));
    await user.click(rowOf(1).getByTestId('reject-reason'));
    await user.paste('x'.repeat(501));
    await user.click(rowOf(1).getByTestId('reject'));
    expect(rowOf(1).getByTestId('row-message').textContent).toBe('The reason is 501 characters long: at most 500.');
    expect(commands(calls)).toHaveLength(0);

    await user.clear(rowOf(1).getByTestId('reject-reason'));
    await user.type(rowOf(1).getByTestId('reject-reason'), '  Customer already upgraded  ');
    await user.click(rowOf(1).getByTestId('reject'));
    await screen.findByText('Nothing awaits approval.');
    const [command] = commands(calls);
    expect(command!.path).toBe(`/api/maos/actions/${approval(1).actionId}/reject`);
    expect(command!.body).toEqual({ reason: 'Customer already upgraded' });
    expect(command!.headers.get('If-Match')).toBe('"11"');
    expect(command!.headers.get('Idempotency-Key')).toMatch(UUID);
  });

  it('a 409 shows the problem’s detail in that row and refreshes the queue', async () => {
    const calls = queueService([approval(1), approval(2)], () =>
      problem(409, 'Conflict', 'The action is rejected: it cannot be approved (invalid transition).'),
    );
    const user = userEvent.setup();
    render(<ApprovalsView api={api} canApprove />);
    await screen.findAllByTestId('approval-row');
    expect(queueReads(calls)).toHaveLength(1);
    await user.click(rowOf(2).getByTestId('approve'));
    expect((await rowOf(2).findByTestId('row-message')).textContent).toBe(
      'The action is rejected: it cannot be approved (invalid transition). The queue has been refreshed.',
    );
    expect(queueReads(calls)).toHaveLength(2);
    expect(queueReads(calls)[1]!.headers.get('X-Min-Position')).toBeNull();
  });

  it('a 412 on a row that has left the queue keeps its explanation until dismissed', async () => {
    let pending = [approval(1)];
    const calls = stubFetch((call) => {
      if (call.method === 'GET') return json({ items: pending, nextCursor: null });
      pending = [];
      return problem(412, 'Precondition Failed', 'If-Match "11" does not match the org stream revision 12.');
    });
    const user = userEvent.setup();
    render(<ApprovalsView api={api} canApprove />);
    await screen.findAllByTestId('approval-row');
    await user.click(rowOf(1).getByTestId('approve'));
    expect((await rowOf(1).findByTestId('row-message')).textContent).toContain('does not match the org stream revision 12');
    await screen.findByRole('button', { name: 'Dismiss' });
    expect(rowOf(1).queryByTestId('approve')).toBeNull();
    expect(queueReads(calls)).toHaveLength(2);
    await user.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.getByText('Nothing awaits approval.')).toBeTruthy();
  });

  it('a retry of the same click after a network failure reuses its Idempotency-Key; a new click gets a new one', async () => {
    let failures = 1;
    const calls = queueService([approval(1), approval(2)], () => {
      if (failures-- > 0) throw new TypeError('Failed to fetch');
      return undefined;
    });
    const user = userEvent.setup();
    render(<ApprovalsView api={api} canApprove />);
    await screen.findAllByTestId('approval-row');
    await user.click(rowOf(1).getByTestId('approve'));
    expect((await rowOf(1).findByTestId('row-message')).textContent).toContain('same Idempotency-Key');
    await user.click(rowOf(1).getByTestId('approve'));
    await screen.findByText(/Approved offer upgrade for Demo org 1/);
    await user.click(rowOf(2).getByTestId('approve'));
    await screen.findByText(/Approved offer upgrade for Demo org 2/);
    const keys = commands(calls).map((c) => c.headers.get('Idempotency-Key'));
    expect(keys).toHaveLength(3);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('a read model still behind (503) is read again after Retry-After', async () => {
    let behind = 1;
    const calls = stubFetch((call) => {
      if (call.method === 'POST')
        return json({ success: true, actionId: approval(1).actionId, status: 'approved', position: '7-7', revision: '12' });
      if (call.headers.get('X-Min-Position') && behind-- > 0) {
        return problem(503, 'Service Unavailable', 'The read model has not yet caught up with position 7-7; retry shortly.', {
          'retry-after': '0',
        });
      }
      return json({ items: call.headers.get('X-Min-Position') ? [] : [approval(1)], nextCursor: null });
    });
    const user = userEvent.setup();
    render(<ApprovalsView api={api} canApprove />);
    await screen.findAllByTestId('approval-row');
    await user.click(rowOf(1).getByTestId('approve'));
    await screen.findByText('Nothing awaits approval.');
    expect(queueReads(calls).map((c) => c.headers.get('X-Min-Position'))).toEqual([null, '7-7', '7-7']);
  });

  it('pages the queue with its cursors; without maos:approve it is read only', async () => {
    const calls = stubFetch(({ params }) =>
      params.get('cursor') === 'p2' ? json({ items: [approval(3)], nextCursor: null }) : json({ items: [approval(1)], nextCursor: 'p2' }),
    );
    const user = userEvent.setup();
    render(<ApprovalsView api={api} canApprove={false} />);
    await screen.findAllByTestId('approval-row');
    expect(screen.queryByTestId('approve')).toBeNull();
    expect(screen.getByText('Read only: this token has no maos:approve scope.')).toBeTruthy();
    await user.click(screen.getByTestId('approvals-page-next'));
    await screen.findByText('Demo org 3');
    expect(Object.fromEntries(queueReads(calls).at(-1)!.params)).toEqual({ limit: '20', cursor: 'p2' });
  });

  it('a decided action a lagging queue still lists says so, its buttons disabled', async () => {
    stubFetch((call) =>
      call.method === 'GET'
        ? json({ items: [approval(1)], nextCursor: null })
        : json({ success: true, actionId: approval(1).actionId, status: 'approved', position: '5-5', revision: '12' }),
    );
    const user = userEvent.setup();
    render(<ApprovalsView api={api} canApprove />);
    await screen.findAllByTestId('approval-row');
    await user.click(rowOf(1).getByTestId('approve'));
    expect((await rowOf(1).findByTestId('row-message')).textContent).toBe('Now approved: the queue has not caught up with it yet.');
    expect((rowOf(1).getByTestId('approve') as HTMLButtonElement).disabled).toBe(true);
  });

  it('after a 412 on a row still pending, the refreshed row takes its new revision and a new key', async () => {
    let revision = '11';
    const calls = stubFetch((call) => {
      if (call.method === 'GET') return json({ items: [approval(1, { revision })], nextCursor: null });
      if (call.headers.get('If-Match') === '"11"') {
        revision = '12';
        return problem(412, 'Precondition Failed', 'If-Match "11" does not match the org stream revision 12.');
      }
      return json({ success: true, actionId: approval(1).actionId, status: 'approved', position: '9-9', revision: '13' });
    });
    const user = userEvent.setup();
    render(<ApprovalsView api={api} canApprove />);
    await screen.findAllByTestId('approval-row');
    await user.click(rowOf(1).getByTestId('approve'));
    await rowOf(1).findByTestId('row-message');
    await user.click(await rowOf(1).findByTestId('approve'));
    await screen.findByText(/Approved offer upgrade/);
    const [stale, fresh] = commands(calls);
    expect([stale!.headers.get('If-Match'), fresh!.headers.get('If-Match')]).toEqual(['"11"', '"12"']);
    expect(fresh!.headers.get('Idempotency-Key')).not.toBe(stale!.headers.get('Idempotency-Key'));
  });
});

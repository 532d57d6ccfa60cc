import { useRef, useState } from 'react';
import { type ApiClient, asProblem, readAfterWrite } from '../api';
import { formatConfidence, formatCredits, formatTime, humanize } from '../format';
import { useCursorStack, useResource } from '../hooks';
import type { CommandResult, Page, PendingApproval } from '../types';
import { Empty, Loaded, CursorPager, TableWrap } from './ui';

export const APPROVALS_PAGE_SIZE = 20;
/** The API's limit on a rejection reason (trimmed, UTF-16 code units). */
export const MAX_REASON_LENGTH = 500;

type Decision = 'approve' | 'reject';

/** One user intent: retried (after a network failure or a 5xx) it is sent again with the same key. */
interface Intent {
  readonly decision: Decision;
  readonly reason: string;
  readonly revision: string | null;
  readonly key: string;
}

interface RowNote {
  readonly text: string;
  readonly tone: 'error' | 'info';
}

/** Why a reason cannot be sent, or null when it can. */
export function reasonProblem(reason: string): string | null {
  const trimmed = reason.trim();
  if (!trimmed) return 'Give a reason to reject this action.';
  if (trimmed.length > MAX_REASON_LENGTH) return `The reason is ${trimmed.length} characters long: at most ${MAX_REASON_LENGTH}.`;
  return null;
}

const newKey = (): string => crypto.randomUUID();

interface RowProps {
  readonly item: PendingApproval;
  readonly canApprove: boolean;
  /** The action left the queue after a conflict: shown with its explanation, without buttons. */
  readonly gone: boolean;
  readonly busy: boolean;
  readonly note: RowNote | undefined;
  readonly reason: string;
  readonly onReason: (reason: string) => void;
  readonly onDecide: (decision: Decision) => void;
  readonly onDismiss: () => void;
}

function ApprovalRow({ item, canApprove, gone, busy, note, reason, onReason, onDecide, onDismiss }: RowProps) {
  const reasonId = `rd-reason-${item.actionId}`;
  const noteId = `rd-note-${item.actionId}`;
  return (
    <tr data-testid="approval-row" data-action-id={item.actionId} className={gone ? 'rd-gone' : undefined}>
      <th scope="row" data-label="Organization">
        {item.orgName ?? item.orgId}
      </th>
      <td data-label="Opportunity">{humanize(item.opportunityType)}</td>
      <td data-label="Action">{humanize(item.actionType)}</td>
      <td data-label="Confidence">{formatConfidence(item.confidence)}</td>
      <td data-label="Credits">{formatCredits(item.creditsReserved)}</td>
      <td data-label="Proposed">
        <time dateTime={item.proposedAt}>{formatTime(item.proposedAt)}</time>
      </td>
      <td data-label="Decision" className="rd-decision">
        {canApprove && !gone ? (
          <div className="rd-decide">
            <label htmlFor={reasonId}>Reason to reject</label>
            <input
              id={reasonId}
              data-testid="reject-reason"
              type="text"
              maxLength={MAX_REASON_LENGTH + 100}
              value={reason}
              aria-describedby={note ? noteId : undefined}
              onChange={(event) => onReason(event.target.value)}
            />
            <div className="rd-buttons">
              <button type="button" data-testid="approve" disabled={busy} onClick={() => onDecide('approve')}>
                Approve
              </button>
              <button type="button" data-testid="reject" disabled={busy} onClick={() => onDecide('reject')}>
                Reject
              </button>
            </div>
          </div>
        ) : null}
        {gone ? (
          <button type="button" onClick={onDismiss}>
            Dismiss
          </button>
        ) : null}
        {note ? (
          <p id={noteId} data-testid="row-message" className={note.tone === 'error' ? 'rd-row-error' : 'rd-row-info'}>
            {note.text}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

/** MAOS's pending queue across orgs, with approve and reject (Idempotency-Key per intent, If-Match on the item's revision). */
export function ApprovalsView({ api, canApprove }: { api: ApiClient; canApprove: boolean }) {
  const pages = useCursorStack('approvals');
  const [minPosition, setMinPosition] = useState<string | null>(null);
  const [refreshes, setRefreshes] = useState(0);
  const refreshCount = useRef(0);
  const [notes, setNotes] = useState<Readonly<Record<string, RowNote>>>({});
  const [reasons, setReasons] = useState<Readonly<Record<string, string>>>({});
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  /** Rows whose decision met a conflict: shown without buttons until a queue read made after the conflict lists them again. */
  const [gone, setGone] = useState<Readonly<Record<string, { readonly item: PendingApproval; readonly after: number }>>>({});
  /** Actions this page decided (the status the command answered), in case a re-read still lists them. */
  const [decided, setDecided] = useState<Readonly<Record<string, string>>>({});
  const [announcement, setAnnouncement] = useState('');
  const intents = useRef(new Map<string, Intent>());

  const queue = useResource(`approvals|${pages.cursor ?? ''}|${minPosition ?? ''}|${refreshes}`, (signal) =>
    readAfterWrite(() =>
      api.get<Page<PendingApproval>>('/api/maos/approvals', {
        query: { limit: APPROVALS_PAGE_SIZE, cursor: pages.cursor },
        minPosition,
        signal,
      }),
    ).then((page) => ({ ...page, read: refreshes })),
  );

  const note = (actionId: string, value: RowNote | null) =>
    setNotes((all) => {
      const { [actionId]: _dropped, ...rest } = all;
      return value ? { ...rest, [actionId]: value } : rest;
    });
  const refresh = (position: string | null) => {
    if (position) setMinPosition(position);
    refreshCount.current += 1;
    setRefreshes(refreshCount.current);
  };

  async function decide(item: PendingApproval, decision: Decision) {
    const id = item.actionId;
    const reason = (reasons[id] ?? '').trim();
    if (decision === 'reject') {
      const problem = reasonProblem(reasons[id] ?? '');
      if (problem) return note(id, { text: problem, tone: 'error' });
    }
    const previous = intents.current.get(id);
    const same = previous && previous.decision === decision && previous.reason === reason && previous.revision === item.revision;
    const intent: Intent = same ? previous : { decision, reason, revision: item.revision, key: newKey() };
    intents.current.set(id, intent);
    setBusy((s) => new Set(s).add(id));
    note(id, null);
    try {
      const result = await api.post<CommandResult>(`/api/maos/actions/${encodeURIComponent(id)}/${decision}`, {
        headers: { 'Idempotency-Key': intent.key, ...(item.revision === null ? {} : { 'If-Match': `"${item.revision}"` }) },
        ...(decision === 'reject' ? { body: { reason } } : {}),
      });
      intents.current.delete(id);
      setAnnouncement(
        `${decision === 'approve' ? 'Approved' : 'Rejected'} ${humanize(item.actionType)} for ${item.orgName ?? item.orgId} (now ${result.status}).`,
      );
      setReasons(({ [id]: _dropped, ...rest }) => rest);
      setGone(({ [id]: _dropped, ...rest }) => rest);
      setDecided((all) => ({ ...all, [id]: result.status }));
      refresh(result.position);
    } catch (error) {
      const problem = asProblem(error);
      const definitive = problem.status >= 400 && problem.status < 500;
      if (definitive) intents.current.delete(id);
      if (problem.status === 409 || problem.status === 412) {
        note(id, { text: `${problem.detail} The queue has been refreshed.`, tone: 'error' });
        setAnnouncement(problem.detail);
        refresh(null);
        setGone((all) => ({ ...all, [id]: { item, after: refreshCount.current } }));
      } else {
        const retry = definitive ? '' : ' Try again: the retry is the same request (same Idempotency-Key).';
        note(id, { text: `${problem.title}: ${problem.detail}${retry}`, tone: 'error' });
      }
    } finally {
      setBusy((s) => {
        const next = new Set(s);
        next.delete(id);
        return next;
      });
    }
  }

  const dismiss = (id: string) => {
    note(id, null);
    setGone(({ [id]: _dropped, ...rest }) => rest);
  };

  return (
    <section aria-labelledby="rd-approvals-heading">
      <h2 id="rd-approvals-heading">Approvals awaiting a decision</h2>
      {canApprove ? null : <p className="rd-hint">Read only: this token has no maos:approve scope.</p>}
      <p className="rd-announce" role="status">
        {announcement}
      </p>
      <Loaded resource={queue} what="the approval queue">
        {(data) => {
          const pendingIds = new Set(data.items.map((i) => i.actionId));
          const left = Object.values(gone).filter((g) => !pendingIds.has(g.item.actionId));
          const rows = [
            ...left.map(({ item }) => ({ item, gone: true })),
            ...data.items.map((item) => {
              const conflict = gone[item.actionId];
              return conflict && data.read < conflict.after ? { item: conflict.item, gone: true } : { item, gone: false };
            }),
          ];
          if (rows.length === 0) return <Empty>Nothing awaits approval.</Empty>;
          return (
            <TableWrap label="Approvals table">
              <table className="rd-table rd-approvals" data-testid="approvals-table">
                <caption className="rd-visually-hidden">Pending approvals</caption>
                <thead>
                  <tr>
                    <th scope="col">Organization</th>
                    <th scope="col">Opportunity</th>
                    <th scope="col">Action</th>
                    <th scope="col">Confidence</th>
                    <th scope="col">Credits reserved</th>
                    <th scope="col">Proposed</th>
                    <th scope="col">Decision</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map(({ item, gone: isGone }) => (
                    <ApprovalRow
                      key={item.actionId}
                      item={item}
                      canApprove={canApprove}
                      gone={isGone}
                      busy={busy.has(item.actionId) || decided[item.actionId] !== undefined}
                      note={
                        notes[item.actionId] ??
                        (decided[item.actionId] === undefined
                          ? undefined
                          : { text: `Now ${decided[item.actionId]}: the queue has not caught up with it yet.`, tone: 'info' })
                      }
                      reason={reasons[item.actionId] ?? ''}
                      onReason={(value) => setReasons((all) => ({ ...all, [item.actionId]: value }))}
                      onDecide={(decision) => void decide(item, decision)}
                      onDismiss={() => dismiss(item.actionId)}
                    />
                  ))}
                </tbody>
              </table>
            </TableWrap>
          );
        }}
      </Loaded>
      <CursorPager testId="approvals-page" label="Approvals" pages={pages} resource={queue} />
    </section>
  );
}

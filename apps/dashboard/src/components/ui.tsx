import { type ReactNode, useId } from 'react';
import type { ApiProblem } from '../api';
import type { Resource, useCursorStack } from '../hooks';

export function Loading({ what }: { what: string }) {
  return (
    <p className="rd-loading" role="status">
      Loading {what}…
    </p>
  );
}

/** A problem as the user reads it: its title and the service's detail. */
export function ProblemMessage({ problem, onRetry }: { problem: ApiProblem; onRetry?: (() => void) | undefined }) {
  return (
    <div className="rd-problem" role="alert">
      <p>
        <strong>{problem.title}</strong>
        {problem.status > 0 ? ` (${problem.status})` : ''}: {problem.detail}
      </p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="rd-empty">{children}</p>;
}

/**
 * A resource's three states: loading (the last data stays shown while a reload runs), error
 * (with a retry) and ready.
 */
export function Loaded<T>({
  resource,
  what,
  children,
}: {
  resource: Resource<T> & { reload: () => void };
  what: string;
  children: (data: T) => ReactNode;
}) {
  return (
    <>
      {resource.status === 'loading' && resource.data === undefined ? <Loading what={what} /> : null}
      {resource.status === 'error' ? <ProblemMessage problem={resource.error} onRetry={resource.reload} /> : null}
      {resource.data !== undefined ? children(resource.data) : null}
    </>
  );
}

export interface PagerProps {
  /** Prefix of the buttons' test ids: `<prefix>-prev`, `<prefix>-next`. */
  readonly testId: string;
  readonly label: string;
  readonly page: number;
  readonly hasPrevious: boolean;
  readonly nextCursor: string | null | undefined;
  readonly onPrevious: () => void;
  readonly onNext: (cursor: string) => void;
}

export function Pager({ testId, label, page, hasPrevious, nextCursor, onPrevious, onNext }: PagerProps) {
  return (
    <nav className="rd-pager" aria-label={`${label} pages`}>
      <button type="button" data-testid={`${testId}-prev`} disabled={!hasPrevious} onClick={onPrevious}>
        Previous
      </button>
      <span aria-live="polite">Page {page}</span>
      <button type="button" data-testid={`${testId}-next`} disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        Next
      </button>
    </nav>
  );
}

/** A select over fixed values, with its label; '' is "all". */
export function Choice({
  label,
  value,
  options,
  allLabel,
  testId,
  onChange,
}: {
  label: string;
  value: string;
  options: readonly string[];
  allLabel?: string | undefined;
  testId?: string | undefined;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="rd-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} data-testid={testId} value={value} onChange={(event) => onChange(event.target.value)}>
        {allLabel === undefined ? null : <option value="">{allLabel}</option>}
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The Pager of a cursor-paged resource: Next follows the nextCursor of the page shown. */
export function CursorPager({
  testId,
  label,
  pages,
  resource,
}: {
  testId: string;
  label: string;
  pages: ReturnType<typeof useCursorStack>;
  resource: Resource<{ readonly nextCursor?: string | null | undefined }>;
}) {
  return (
    <Pager
      testId={testId}
      label={label}
      page={pages.page}
      hasPrevious={pages.hasPrevious}
      nextCursor={resource.status === 'ready' ? resource.data.nextCursor : null}
      onPrevious={pages.previous}
      onNext={pages.next}
    />
  );
}

/** A table's horizontal scroll box: focusable and named, so keyboard users can scroll it too. */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="rd-table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** A section's heading with its "Refresh <title>" button (the views' sections all have one). */
export function RefreshHead({ id, title, level = 3, onRefresh }: { id: string; title: string; level?: 2 | 3; onRefresh: () => void }) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <div className="rd-section-head">
      <Heading id={id}>{title}</Heading>
      <button type="button" onClick={onRefresh}>
        Refresh {title.toLowerCase()}
      </button>
    </div>
  );
}

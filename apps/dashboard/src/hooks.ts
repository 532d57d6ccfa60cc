import { useCallback, useEffect, useRef, useState } from 'react';
import { type ApiProblem, asProblem, isAbort } from './api';

export type Resource<T> =
  | { readonly status: 'loading'; readonly data?: T | undefined }
  | { readonly status: 'error'; readonly error: ApiProblem; readonly data?: T | undefined }
  | { readonly status: 'ready'; readonly data: T };

/**
 * Loads whenever `key` changes (or reload() is called); an answer for an older key is dropped.
 * While a reload runs, the last data stays available so a table does not flicker.
 */
export function useResource<T>(
  key: string | null,
  load: (signal: AbortSignal) => Promise<T>,
  keepData = true,
): Resource<T> & { reload: () => void } {
  const [state, setState] = useState<Resource<T>>({ status: 'loading' });
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    if (key === null) return undefined;
    const controller = new AbortController();
    setState((previous) => ({ status: 'loading', data: keepData ? previous.data : undefined }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: 'ready', data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted && !isAbort(error))
          setState((previous) => ({ status: 'error', error: asProblem(error), data: previous.data }));
      },
    );
    return () => controller.abort();
  }, [key, nonce, keepData]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}

/** Cursor paging: a stack of the cursors that opened each page, so Previous needs no server support. */
export function useCursorStack(resetKey: string) {
  const [stack, setStack] = useState<readonly string[]>([]);
  const [forKey, setForKey] = useState(resetKey);
  if (forKey !== resetKey) {
    setForKey(resetKey);
    setStack([]);
  }
  const current = forKey === resetKey ? stack.at(-1) : undefined;
  return {
    cursor: current,
    page: (forKey === resetKey ? stack.length : 0) + 1,
    next: (cursor: string) => setStack((s) => [...s, cursor]),
    previous: () => setStack((s) => s.slice(0, -1)),
    hasPrevious: forKey === resetKey && stack.length > 0,
  };
}

/** The value once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

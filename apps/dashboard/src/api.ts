/** The dashboard's only way to the service: fetch with the caller's token, problem+json turned into ApiProblem. */

export type TokenProvider = () => string | Promise<string>;

/** An error answer (problem+json) or a failure to reach the service (status 0), as the UI shows it. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly type: string | undefined;
  /** Seconds from Retry-After, when the answer had one. */
  readonly retryAfter: number | undefined;

  constructor(init: { status: number; title: string; detail: string; type?: string | undefined; retryAfter?: number | undefined }) {
    super(`${init.title}: ${init.detail}`);
    this.name = 'ApiProblem';
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type;
    this.retryAfter = init.retryAfter;
  }
}

export type QueryValue = string | number | undefined | null;

export interface RequestOptions {
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** X-Org-Id: the org of an org-scoped route. */
  readonly orgId?: string | undefined;
  /** X-Min-Position: wait until the read models include this log position (a command's `position`). */
  readonly minPosition?: string | null | undefined;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
}

export interface ApiClient {
  get<T>(path: string, options?: RequestOptions): Promise<T>;
  post<T>(path: string, options?: RequestOptions): Promise<T>;
}

/** `path?query` with empty parameters left out. */
export function buildUrl(baseUrl: string, path: string, query: Readonly<Record<string, QueryValue>> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `${baseUrl.replace(/\/+$/, '')}${path}${qs ? `?${qs}` : ''}`;
}

function retryAfterOf(response: Response): number | undefined {
  const raw = response.headers.get('retry-after');
  if (raw === null) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** The problem an error answer carries, or a generic one when its body is not problem+json. */
export async function problemOf(response: Response): Promise<ApiProblem> {
  const retryAfter = retryAfterOf(response);
  const fallback = { status: response.status, title: response.statusText || `HTTP ${response.status}`, retryAfter };
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('json')) {
    try {
      const body = (await response.json()) as { title?: unknown; detail?: unknown; type?: unknown; status?: unknown };
      return new ApiProblem({
        ...fallback,
        status: typeof body.status === 'number' ? body.status : response.status,
        title: typeof body.title === 'string' ? body.title : fallback.title,
        detail: typeof body.detail === 'string' ? body.detail : `The service answered ${response.status}.`,
        type: typeof body.type === 'string' ? body.type : undefined,
      });
    } catch {
      // not JSON after all: the generic problem below
    }
  }
  return new ApiProblem({ ...fallback, detail: `The service answered ${response.status}.` });
}

export function createApiClient(baseUrl: string, getToken: TokenProvider): ApiClient {
  async function send<T>(method: 'GET' | 'POST', path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...options.headers };
    const token = await getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (options.orgId) headers['X-Org-Id'] = options.orgId;
    if (options.minPosition) headers['X-Min-Position'] = options.minPosition;
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    if (options.signal) init.signal = options.signal;
    let response: Response;
    try {
      response = await fetch(buildUrl(baseUrl, path, options.query), init);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ApiProblem({
        status: 0,
        title: 'Network error',
        detail: `The service could not be reached (${error instanceof Error ? error.message : String(error)}).`,
      });
    }
    if (!response.ok) throw await problemOf(response);
    return (await response.json()) as T;
  }
  return {
    get: (path, options) => send('GET', path, options),
    post: (path, options) => send('POST', path, options),
  };
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** The problem to show for any error (an unexpected one becomes a generic problem). */
export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  return new ApiProblem({ status: 0, title: 'Unexpected error', detail: error instanceof Error ? error.message : String(error) });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A read with X-Min-Position: a 503 (read model behind) is retried after its Retry-After, at most
 * `attempts` times in all; any other answer is final.
 */
export async function readAfterWrite<T>(read: () => Promise<T>, attempts = 5, wait: (ms: number) => Promise<void> = sleep): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof ApiProblem) || error.status !== 503 || attempt >= attempts) throw error;
      await wait(Math.min(10, error.retryAfter ?? 1) * 1000);
    }
  }
}

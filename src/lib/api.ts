/**
 * The server's JSON API, as design.md fixes it. Every call is same-origin and carries the
 * session cookie; a failure is an {@link ApiError} with the server's code and message.
 */
import { goto } from '$app/navigation';

/** An error answer from the API (`{error:{code,message}}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface User {
  id: string;
  email: string;
  name: string;
}

/** A member's role in the workspace; owners and admins manage connections. */
export type WorkspaceRole = 'owner' | 'admin' | 'editor' | 'viewer';

export interface NotebookSummary {
  id: string;
  title: string;
  updatedAt: string;
  forkedFrom: string | null;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      // A non-JSON body (a proxy's error page, say) is reported by status below.
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'http_' + res.status, err?.message ?? `Request failed (${res.status})`);
  }
  return data as T;
}

/** Where to send someone who must sign in, so they come back to `path` afterwards. */
export function loginUrl(path: string = location.pathname + location.search): string {
  return path === '/' ? '/login' : `/login?next=${encodeURIComponent(path)}`;
}

/** Go to the sign-in page when `e` says the session is missing; returns whether it did. */
export function redirectIfSignedOut(e: unknown): boolean {
  if (e instanceof ApiError && e.status === 401) {
    void goto(loginUrl(), { replaceState: true });
    return true;
  }
  return false;
}

/** A safe place to go after signing in: a same-origin path, else `/`. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export const auth = {
  /** Create an account and sign in. */
  signup: (email: string, password: string, name: string) =>
    request<{ token: string; user: User }>('POST', '/api/auth/signup', { email, password, name }),
  /** Sign in. */
  login: (email: string, password: string) => request<{ token: string; user: User }>('POST', '/api/auth/login', { email, password }),
  /** End the session. */
  logout: () => request<unknown>('POST', '/api/auth/logout'),
  /** The signed-in user and their workspace role; rejects with status 401 when nobody is. */
  me: () => request<{ user: User; role: WorkspaceRole | null }>('GET', '/api/auth/me')
};

export const notebooks = {
  /** Notebooks the user can open, filtered by title when `q` is given. */
  list: (q = '') =>
    request<{ notebooks: NotebookSummary[] }>('GET', '/api/notebooks' + (q ? `?q=${encodeURIComponent(q)}` : '')).then((r) => r.notebooks),
  /** Create a notebook; returns its id. */
  create: (title: string) => request<{ id: string }>('POST', '/api/notebooks', { title }).then((r) => r.id),
  rename: (id: string, title: string) => request<unknown>('PATCH', `/api/notebooks/${encodeURIComponent(id)}`, { title }),
  remove: (id: string) => request<unknown>('DELETE', `/api/notebooks/${encodeURIComponent(id)}`)
};

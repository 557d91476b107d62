/**
 * The REST calls for connections and runs. `baseUrl` and `token` let Node tests and
 * scripts use the same client; the page uses its own origin and session cookie.
 */
import type { ConnectionInput, ConnectionOptions, ConnectionView, DangerousPrivilege, RunView, TableInfo } from './types.js';

/** An error the API answered with (`{error: {code, message}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** 0-based offset into the SQL, for query errors the database located. */
    readonly position: number | null = null
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ClientOptions {
  baseUrl?: string;
  token?: string;
  fetch?: typeof fetch;
}

export class WarehouseApi {
  readonly baseUrl: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: ClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.doFetch = options.fetch ?? ((...args) => fetch(...args));
  }

  /** A request with JSON in and the auth header; non-2xx answers throw {@link ApiError}. */
  async request(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const response = await this.doFetch(`${this.baseUrl}${path}`, { ...init, method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw await apiError(response);
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }

  listConnections(): Promise<ConnectionView[]> {
    return this.json<{ connections: ConnectionView[] }>('GET', '/api/connections').then((r) => r.connections);
  }
  createConnection(input: ConnectionInput): Promise<ConnectionView> {
    return this.json('POST', '/api/connections', input);
  }
  updateConnection(id: string, patch: { name?: string; config?: ConnectionInput['config']; options?: Partial<ConnectionOptions> }): Promise<ConnectionView> {
    return this.json('PATCH', `/api/connections/${encodeURIComponent(id)}`, patch);
  }
  deleteConnection(id: string): Promise<void> {
    return this.json<unknown>('DELETE', `/api/connections/${encodeURIComponent(id)}`).then(() => undefined);
  }
  /** "Test connection" on saved settings, or on a form's unsaved input. */
  /** Connects and answers how long it took and the account's privileges beyond reading. */
  testConnection(idOrInput: string | ConnectionInput): Promise<{ ok: true; ms: number; privileges: DangerousPrivilege[] }> {
    return typeof idOrInput === 'string'
      ? this.json('POST', `/api/connections/${encodeURIComponent(idOrInput)}/test`, {})
      : this.json('POST', '/api/connections/test', idOrInput);
  }
  schema(id: string, refresh = false): Promise<TableInfo[]> {
    return this.json<{ tables: TableInfo[] }>('GET', `/api/connections/${encodeURIComponent(id)}/schema${refresh ? '?refresh=1' : ''}`).then((r) => r.tables);
  }
  listRuns(filter: { notebookId?: string; connectionId?: string; limit?: number } = {}): Promise<RunView[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
    return this.json<{ runs: RunView[] }>('GET', `/api/runs?${q}`).then((r) => r.runs);
  }
  run(id: string): Promise<RunView> {
    return this.json('GET', `/api/runs/${encodeURIComponent(id)}`);
  }
  cancelRun(id: string): Promise<{ canceled: boolean }> {
    return this.json('POST', `/api/runs/${encodeURIComponent(id)}/cancel`, {});
  }
}

async function apiError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; position?: number | null } };
    if (body.error?.message) return new ApiError(response.status, body.error.code ?? 'error', body.error.message, body.error.position ?? null);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, 'http_error', `The server answered ${response.status} ${response.statusText}.`);
}

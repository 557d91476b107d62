/**
 * The one fetch layer for Cairn's JSON API, in the browser and in Node. In the browser it
 * uses the page's origin and session cookie; `baseUrl` and `token` let Node tests and
 * scripts use the same client. Every failure is an {@link ApiError}.
 */
import { errorMessage } from '../../kernels/error-message.js';

/**
 * An error answer from the API (`{error:{code,message}}`), or a network failure (status 0).
 * `position` is the 0-based offset into the SQL, for query errors the database located.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly position: number | null = null
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A thrown value's message, for showing to a person (one helper everywhere: kernels/error-message.ts). */
export { errorMessage };

/** Where and as whom a client talks to the server. */
export interface ClientOptions {
  baseUrl?: string;
  /** A session token sent as a bearer header (Node); the browser relies on its cookie instead. */
  token?: string;
  fetch?: typeof fetch;
  /** The workspace listings and creations act in (`x-cairn-workspace`), else the user's current one. */
  workspaceId?: string;
}

/** JSON requests to the API with its auth; subclasses add the calls of one area. */
export class ApiClient {
  readonly baseUrl: string;
  readonly #options: ClientOptions;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions = {}) {
    this.#options = options;
    this.baseUrl = options.baseUrl ?? '';
    this.#fetch = options.fetch ?? ((...args) => fetch(...args));
  }

  /** A request with JSON in and the auth header; non-2xx answers and network failures throw {@link ApiError}. */
  async request(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#options.token) headers.authorization = `Bearer ${this.#options.token}`;
    if (this.#options.workspaceId) headers['x-cairn-workspace'] = this.#options.workspaceId;
    let response: Response;
    try {
      response = await this.#fetch(`${this.baseUrl}${path}`, {
        credentials: 'same-origin',
        ...init,
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body)
      });
    } catch (e) {
      // A cancelled request is the caller's doing, not the network's: let it through as is.
      if (init.signal?.aborted || (e instanceof DOMException && e.name === 'AbortError')) throw e;
      throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
    }
    if (!response.ok) throw await apiErrorOf(response);
    return response;
  }

  /** A request whose answer is JSON (or empty, read as null). */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await (await this.request(method, path, body)).text();
    return (text ? JSON.parse(text) : null) as T;
  }
}

/** The error a non-2xx answer carries; a body that is not the API's (a proxy's page, say) is reported by status. */
async function apiErrorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; position?: number | null } };
    if (body.error?.message) return new ApiError(response.status, body.error.code ?? `http_${response.status}`, body.error.message, body.error.position ?? null);
  } catch {
    // Not JSON: reported by status below.
  }
  return new ApiError(response.status, `http_${response.status}`, `The server answered ${response.status} ${response.statusText}.`.replace(' .', '.'));
}

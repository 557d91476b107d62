/** A small REST client for tests, speaking the API as an outside client would. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = any>(base: string, method: string, path: string, options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body, headers: res.headers };
}

let counter = 0;

/** Sign up a fresh user; returns its token and credentials. */
export async function signUp(base: string, name = 'Ana'): Promise<{ token: string; user: { id: string; email: string; name: string }; email: string; password: string }> {
  const email = `${name.toLowerCase()}-${process.pid}-${++counter}-${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  const r = await api(base, 'POST', '/api/auth/signup', { body: { email, password, name } });
  if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { token: r.body.token, user: r.body.user, email, password };
}

export async function createNotebook(base: string, token: string, title = 'Test notebook'): Promise<string> {
  const r = await api(base, 'POST', '/api/notebooks', { token, body: { title } });
  if (r.status !== 201) throw new Error(`create notebook failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

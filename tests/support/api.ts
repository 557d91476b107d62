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
/** Per server: the first account signed up here, which owns the default workspace and invites the rest. */
const owners = new Map<string, string>();

export type SignedUp = { token: string; user: { id: string; email: string; name: string }; email: string; password: string };

/** A unique email for a test user. */
export function testEmail(name: string): string {
  return `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${process.pid}-${++counter}-${Date.now()}@example.com`;
}

/** An invitation token to the default workspace, made by `ownerToken`'s account. */
export async function invite(base: string, ownerToken: string, role: 'owner' | 'admin' | 'editor' | 'viewer' = 'editor', workspaceId = 'default'): Promise<string> {
  const r = await api(base, 'POST', `/api/workspaces/${workspaceId}/invitations`, { token: ownerToken, body: { role } });
  if (r.status !== 201) throw new Error(`invitation failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/**
 * Sign up a fresh user. The first on a server becomes its admin and owner; later ones
 * join the default workspace through an invitation from the first, as `role` (editor by
 * default) — the way a team is set up.
 */
export async function signUp(base: string, name = 'Ana', role: 'owner' | 'admin' | 'editor' | 'viewer' = 'editor'): Promise<SignedUp> {
  const email = testEmail(name);
  const password = 'correct horse battery staple';
  const owner = owners.get(base);
  const invitation = owner ? await invite(base, owner, role) : undefined;
  const r = await api(base, 'POST', '/api/auth/signup', { body: { email, password, name, invitation } });
  if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${JSON.stringify(r.body)}`);
  if (!owner) owners.set(base, r.body.token);
  return { token: r.body.token, user: r.body.user, email, password };
}

export async function createNotebook(base: string, token: string, title = 'Test notebook'): Promise<string> {
  const r = await api(base, 'POST', '/api/notebooks', { token, body: { title } });
  if (r.status !== 201) throw new Error(`create notebook failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

/** Where a request's session token comes from: a Bearer header, the `token` query parameter (websockets), or the cookie. */
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'cairn_session';

export function tokenFromRequest(request: IncomingMessage, url?: URL): string | null {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || null;
  const param = url?.searchParams.get('token');
  if (param) return param;
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null; // a mangled cookie is no session, not a server error
    }
  }
  return null;
}

/** The Set-Cookie value for a session token (or for clearing it when `token` is null). */
export function sessionCookie(token: string | null, maxAgeMs: number, secure: boolean): string {
  const attrs = [`${SESSION_COOKIE}=${token ? encodeURIComponent(token) : ''}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  attrs.push(token ? `Max-Age=${Math.floor(maxAgeMs / 1000)}` : 'Max-Age=0');
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

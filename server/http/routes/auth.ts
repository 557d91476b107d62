/** `/api/auth/*`: sign-up, login, logout and the current user. */
import { z } from 'zod';
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { login, signup } from '../../auth/accounts.js';
import { createSession, deleteSession } from '../../auth/sessions.js';
import { sessionCookie, tokenFromRequest } from '../../auth/tokens.js';
import { requireUser } from '../../auth/request-user.js';
import { DEFAULT_WORKSPACE_ID, memberRole } from '../../notebooks/workspaces.js';

const Signup = z.object({
  email: z.string().trim().email('must be an email address').max(254),
  password: z.string().min(8, 'must be at least 8 characters').max(1024),
  name: z.string().trim().min(1, 'is required').max(100)
});

const Login = z.object({
  email: z.string().trim().min(1, 'is required').max(254),
  password: z.string().min(1, 'is required').max(1024)
});

export function authRoutes(router: Router, app: AppContext): void {
  const { db, config } = app;
  // From the configured public address, not a header any client can send (server/http/public-site.ts).
  const secure = (_req?: unknown) => app.site.secureCookies;

  router.add('POST', '/api/auth/signup', async ({ req, res }) => {
    const input = validate(Signup, await readJson(req, config.maxBodyBytes));
    const { user, workspace } = await signup(db, input);
    await app.notebooks.seedSample(workspace.id, user.id);
    const token = await createSession(db, user.id, config.sessionTtlMs);
    sendJson(res, 201, { token, user }, { 'set-cookie': sessionCookie(token, config.sessionTtlMs, secure(req)) });
  });

  router.add('POST', '/api/auth/login', async ({ req, res }) => {
    const input = validate(Login, await readJson(req, config.maxBodyBytes));
    const user = await login(db, input.email, input.password);
    const token = await createSession(db, user.id, config.sessionTtlMs);
    sendJson(res, 200, { token, user }, { 'set-cookie': sessionCookie(token, config.sessionTtlMs, secure(req)) });
  });

  router.add('POST', '/api/auth/logout', async ({ req, res }) => {
    const token = tokenFromRequest(req);
    if (token) await deleteSession(db, token);
    sendJson(res, 200, { ok: true }, { 'set-cookie': sessionCookie(null, 0, secure(req)) });
  });

  router.add('GET', '/api/auth/me', async ({ req, res, url }) => {
    const user = await requireUser(db, req, url);
    // The role lets the UI hide what only owners and admins may do; the server still checks every change.
    sendJson(res, 200, { user, role: await memberRole(db, DEFAULT_WORKSPACE_ID, user.id) });
  });
}

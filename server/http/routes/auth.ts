/** `/api/auth/*`: sign-up, login, logout, the current user and workspace, sessions and password. */
import type { IncomingMessage } from 'node:http';
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { changePassword, login, signup } from '../../auth/accounts.js';
import { createSession, deleteSessionByToken, deleteSessions, listSessions, type Session } from '../../auth/sessions.js';
import { sessionCookie, tokenFromRequest } from '../../auth/tokens.js';
import { allow, actingWorkspace } from '../../access/rules.js';
import { AppError } from '../../errors.js';
import { memberRole } from '../../workspaces/repository.js';
import { LoginBody, PasswordChange, SignupBody, SwitchWorkspace, type Me } from '../../../src/lib/contract/index.js';
import { CLOSE } from '../../../src/lib/contract/index.js';

/** The address rate limits count by (the socket's peer: Cairn does not trust forwarding headers). */
function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export function authRoutes(router: Router, app: AppContext): void {
  const { db, config, rateLimits, collab } = app;
  // From the configured public address, not a header any client can send (server/http/public-site.ts).
  const secure = app.site.secureCookies;

  const userAgent = (req: IncomingMessage) => (typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null);

  async function me(session: Session, req: IncomingMessage): Promise<Me> {
    const workspace = await actingWorkspace(db, req, session.user.id).catch(() => null);
    const name = workspace ? (await db.query<{ name: string }>('select name from workspaces where id = $1', [workspace.id]))[0]?.name : null;
    return { user: session.user, workspace: workspace && name ? { id: workspace.id, name, role: workspace.role } : null, role: workspace?.role ?? null };
  }

  router.add('POST', '/api/auth/signup', allow.public('anyone may try; server/auth/accounts.ts decides who gets an account'), async ({ req, res }) => {
    await rateLimits.signup(clientIp(req));
    const input = validate(SignupBody, await readJson(req, config.maxBodyBytes));
    const { user, workspaceId } = await signup(db, input, config.signup);
    await app.notebooks.seedSample(workspaceId, user.id);
    const { token } = await createSession(db, user.id, config.sessionTtlMs, userAgent(req));
    sendJson(res, 201, { token, user }, { 'set-cookie': sessionCookie(token, config.sessionTtlMs, secure) });
  });

  router.add('POST', '/api/auth/login', allow.public('signing in'), async ({ req, res }) => {
    const input = validate(LoginBody, await readJson(req, config.maxBodyBytes));
    const ip = clientIp(req);
    await rateLimits.beforePasswordCheck(input.email, ip);
    let user;
    try {
      user = await login(db, input.email, input.password);
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid_credentials') await rateLimits.failed(input.email, ip);
      throw err;
    }
    const { token } = await createSession(db, user.id, config.sessionTtlMs, userAgent(req));
    sendJson(res, 200, { token, user }, { 'set-cookie': sessionCookie(token, config.sessionTtlMs, secure) });
  });

  router.add('POST', '/api/auth/logout', allow.public('ending whatever session the request carries'), async ({ req, res }) => {
    const token = tokenFromRequest(req);
    const id = token ? await deleteSessionByToken(db, token) : null;
    if (id) collab.closeSessions([id], CLOSE.unauthenticated, 'signed out');
    if (id) app.events.closeSessions([id], 'signed out');
    sendJson(res, 200, { ok: true }, { 'set-cookie': sessionCookie(null, 0, secure) });
  });

  router.add('GET', '/api/auth/me', allow.user(), async ({ req, res, session }) => {
    // The role lets the UI hide what the user may not do; the server still checks every action.
    sendJson(res, 200, await me(session, req));
  });

  router.add('PUT', '/api/auth/workspace', allow.user(), async ({ req, res, session }) => {
    const { workspaceId } = validate(SwitchWorkspace, await readJson(req, config.maxBodyBytes));
    if (!(await memberRole(db, workspaceId, session.user.id))) throw new AppError('not_found', 'No such workspace.');
    await db.query('update users set current_workspace_id = $2 where id = $1', [session.user.id, workspaceId]);
    sendJson(res, 200, await me(session, req));
  });

  router.add('GET', '/api/auth/sessions', allow.user(), async ({ res, session }) => {
    sendJson(res, 200, { sessions: await listSessions(db, session.user.id, session.id) });
  });

  router.add('DELETE', '/api/auth/sessions', allow.user(), async ({ req, res, session }) => {
    const ended = await deleteSessions(db, session.user.id, { except: null });
    collab.closeSessions(ended, CLOSE.unauthenticated, 'signed out everywhere');
    app.events.closeSessions(ended, 'signed out everywhere');
    sendJson(res, 200, { ended: ended.length }, { 'set-cookie': sessionCookie(null, 0, secure) });
  });

  router.add('DELETE', '/api/auth/sessions/:id', allow.user(), async ({ res, params, session }) => {
    const ended = await deleteSessions(db, session.user.id, { id: params.id });
    if (ended.length === 0) throw new AppError('not_found', 'No such session.');
    collab.closeSessions(ended, CLOSE.unauthenticated, 'session ended');
    app.events.closeSessions(ended, 'session ended');
    sendJson(res, 200, { ok: true });
  });

  router.add('POST', '/api/auth/password', allow.user(), async ({ req, res, session }) => {
    const input = validate(PasswordChange, await readJson(req, config.maxBodyBytes));
    const ip = clientIp(req);
    await rateLimits.beforePasswordCheck(session.user.email, ip);
    try {
      await changePassword(db, session.user.id, input.currentPassword, input.newPassword);
    } catch (err) {
      if (err instanceof AppError && err.code === 'forbidden') await rateLimits.failed(session.user.email, ip);
      throw err;
    }
    // A changed password ends every other session: whoever knew the old one is out.
    const ended = await deleteSessions(db, session.user.id, { except: session.id });
    collab.closeSessions(ended, CLOSE.unauthenticated, 'password changed');
    app.events.closeSessions(ended, 'password changed');
    sendJson(res, 200, { ok: true, endedSessions: ended.length });
  });
}

/** `/api/workspaces*` and `/api/invitations/*`: workspaces, members and invitation links. */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { AppError } from '../../errors.js';
import { addMember, createWorkspace, listMembers, removeMember, setMemberRole, updateWorkspace, workspaceDetail, workspacesOf } from '../../workspaces/repository.js';
import { consumeInvitation, createInvitation, listInvitations, previewInvitation, revokeInvitation } from '../../workspaces/invitations.js';
import { InvitationCreate, MemberPatch, WorkspaceCreate, WorkspacePatch } from '../../../src/lib/contract/index.js';

export function workspaceRoutes(router: Router, app: AppContext): void {
  const { db, config, collab } = app;

  router.add('GET', '/api/workspaces', allow.user(), async ({ res, session }) => {
    sendJson(res, 200, { workspaces: await workspacesOf(db, session.user.id) });
  });

  router.add('POST', '/api/workspaces', allow.instanceAdmin(true), async ({ req, res, session }) => {
    const { name } = validate(WorkspaceCreate, await readJson(req, config.maxBodyBytes));
    const id = await db.transaction((tx) => createWorkspace(tx, session.user.id, name));
    await app.notebooks.seedSample(id, session.user.id);
    sendJson(res, 201, { id });
  });

  router.add('GET', '/api/workspaces/:id', allow.workspace('viewer'), async ({ res, workspace }) => {
    sendJson(res, 200, await workspaceDetail(db, workspace.id, workspace.role));
  });

  router.add('PATCH', '/api/workspaces/:id', allow.workspace('owner'), async ({ req, res, workspace }) => {
    const patch = validate(WorkspacePatch, await readJson(req, config.maxBodyBytes));
    await updateWorkspace(db, workspace.id, patch);
    sendJson(res, 200, await workspaceDetail(db, workspace.id, workspace.role));
  });

  router.add('GET', '/api/workspaces/:id/members', allow.workspace('viewer'), async ({ res, workspace }) => {
    sendJson(res, 200, { members: await listMembers(db, workspace.id) });
  });

  router.add('PATCH', '/api/workspaces/:id/members/:userId', allow.workspace('admin'), async ({ req, res, params, workspace }) => {
    const { role } = validate(MemberPatch, await readJson(req, config.maxBodyBytes));
    await setMemberRole(db, workspace.id, workspace.role, params.userId, role);
    // Their open notebooks are checked again now: a viewer's sockets turn read-only.
    await collab.reauthorize((p) => p.userId === params.userId);
    await app.events.reauthorize((l) => l.userId === params.userId);
    sendJson(res, 200, { userId: params.userId, role });
  });

  router.add('DELETE', '/api/workspaces/:id/members/:userId', allow.workspace('admin'), async ({ res, params, workspace }) => {
    await removeMember(db, workspace.id, workspace.role, params.userId);
    await collab.reauthorize((p) => p.userId === params.userId);
    await app.events.reauthorize((l) => l.userId === params.userId);
    sendJson(res, 200, { ok: true });
  });

  router.add('POST', '/api/workspaces/:id/invitations', allow.workspace('admin'), async ({ req, res, workspace, session }) => {
    const input = validate(InvitationCreate, await readJson(req, config.maxBodyBytes));
    if (input.role === 'owner' && workspace.role !== 'owner') throw new AppError('forbidden', 'Only owners invite owners.');
    const { id, token } = await createInvitation(db, workspace.id, session.user.id, input);
    sendJson(res, 201, { id, token, url: app.site.link(`/invite/${token}`, req.headers.host) });
  });

  router.add('GET', '/api/workspaces/:id/invitations', allow.workspace('admin'), async ({ res, workspace }) => {
    sendJson(res, 200, { invitations: await listInvitations(db, workspace.id) });
  });

  router.add('DELETE', '/api/workspaces/:id/invitations/:invId', allow.workspace('admin'), async ({ res, params, workspace }) => {
    await revokeInvitation(db, workspace.id, params.invId);
    sendJson(res, 200, { ok: true });
  });

  router.add('GET', '/api/invitations/:token', allow.public('the token is the secret; an unusable one is a 404'), async ({ res, params }) => {
    const preview = await previewInvitation(db, params.token);
    if (!preview) throw new AppError('not_found', 'This invitation is not valid: it may have expired, been used up or revoked.');
    sendJson(res, 200, preview);
  });

  router.add('POST', '/api/invitations/:token/accept', allow.user(), async ({ res, params, session }) => {
    const { workspaceId } = await db.transaction(async (tx) => {
      const invitation = await consumeInvitation(tx, params.token, session.user.email);
      await addMember(tx, invitation.workspaceId, session.user.id, invitation.role);
      await tx.query('update users set current_workspace_id = $2 where id = $1', [session.user.id, invitation.workspaceId]);
      return invitation;
    });
    sendJson(res, 200, { workspaceId });
  });
}

/**
 * The server's JSON API for pages: accounts, workspaces, members, invitations, notebooks,
 * sharing and published reports. Every call goes through the one client in `api-client.ts` (same origin,
 * session cookie); a failure is an {@link ApiError}. A page that learns nobody is signed in
 * sends them to sign in through {@link redirectIfSignedOut}, the one path for that.
 */
import { goto } from '$app/navigation';
import { ApiClient, ApiError } from './api-client';

export { ApiError, errorMessage } from './api-client';

/** The page's client: same origin, session cookie. */
export const client = new ApiClient();

import type {
  AlertCreate,
  AlertView,
  BrowserRunBody,
  CellRefreshView,
  CommentCreate,
  CommentList,
  CommentView,
  DeliveryView,
  GeneralAccess,
  InvitationCreate,
  InvitationPreview,
  InvitationView,
  Me,
  Member,
  NotebookAccess,
  NotebookAccessView,
  NotebookDetail,
  NotebookSummary,
  Provenance,
  PublishBody,
  Published,
  PublishState,
  ReportRefreshState,
  ReportView,
  SessionView,
  WorkspaceDetail,
  WorkspaceRole,
  WorkspaceSummary,
  WebhookCreate,
  WebhookView,
  AttributionView,
  ForkInfo,
  ForkStatus,
  NotebookDiff,
  ProposalDetail,
  ProposalSummary,
  VersionInfo,
  VersionList
} from './contract/index.js';

// The shapes are the contract's (src/lib/contract), under the names the pages use.
export type { GeneralAccess, InvitationPreview, Me, Member, NotebookAccess, WorkspaceDetail, WorkspaceRole, WorkspaceSummary };
export type User = Me['user'];
export type Session = SessionView;
export type Invitation = InvitationView;
export type InvitationInput = InvitationCreate;
export type NotebookSharing = NotebookAccessView;

/** `GET /api/notebooks/:id`, with the caller's access (src/lib/contract/notebooks.ts). */
export type NotebookInfo = NotebookDetail;
export type { CommentCreate, CommentView };
export type { Provenance, BrowserRunBody };
export type { NotebookSummary, PublishBody, Published, PublishState, ReportRefreshState, ReportView, AlertView, AlertCreate, CellRefreshView, DeliveryView, WebhookView };

const enc = encodeURIComponent;
const call = <T>(method: string, path: string, body?: unknown) => client.json<T>(method, path, body);

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
  /** Create an account and sign in; after the first account the server wants an `invitation` token. */
  signup: (email: string, password: string, name: string, invitation?: string) =>
    call<{ token: string; user: User }>('POST', '/api/auth/signup', { email, password, name, ...(invitation ? { invitation } : {}) }),
  /** Sign in. */
  login: (email: string, password: string) => call<{ token: string; user: User }>('POST', '/api/auth/login', { email, password }),
  /** End the session. */
  logout: () => call<unknown>('POST', '/api/auth/logout'),
  /** The signed-in user, workspace and role; rejects with status 401 when nobody is. */
  me: () => call<Me>('GET', '/api/auth/me'),
  /** Make `workspaceId` the current workspace; answers like {@link auth.me}. */
  switchWorkspace: (workspaceId: string) => call<Me>('PUT', '/api/auth/workspace', { workspaceId }),
  /** The user's sessions on every device. */
  sessions: () => call<{ sessions: Session[] }>('GET', '/api/auth/sessions').then((r) => r.sessions),
  /** End one session. */
  endSession: (id: string) => call<unknown>('DELETE', `/api/auth/sessions/${enc(id)}`),
  /** End every session, this one included. */
  endAllSessions: () => call<unknown>('DELETE', '/api/auth/sessions'),
  /** Change the password; the server ends the other sessions. */
  changePassword: (currentPassword: string, newPassword: string) => call<unknown>('POST', '/api/auth/password', { currentPassword, newPassword })
};

export const workspaces = {
  /** The workspaces the user belongs to, with their role in each. */
  list: () => call<{ workspaces: WorkspaceSummary[] }>('GET', '/api/workspaces').then((r) => r.workspaces),
  /** One workspace's settings. */
  get: (id: string) => call<WorkspaceDetail>('GET', `/api/workspaces/${enc(id)}`),
  /** Create a workspace (instance admins); returns its id. */
  create: (name: string) => call<{ id: string }>('POST', '/api/workspaces', { name }).then((r) => r.id),
  /** Rename, or set the allowed email domains (owners). */
  update: (id: string, patch: { name?: string; allowedDomains?: string[] }) => call<unknown>('PATCH', `/api/workspaces/${enc(id)}`, patch),
  /** The workspace's members. */
  members: (id: string) => call<{ members: Member[] }>('GET', `/api/workspaces/${enc(id)}/members`).then((r) => r.members),
  /** Change a member's role; the last owner cannot be demoted (409). */
  setRole: (id: string, userId: string, role: WorkspaceRole) => call<unknown>('PATCH', `/api/workspaces/${enc(id)}/members/${enc(userId)}`, { role }),
  /** Remove a member; the last owner cannot be removed (409). */
  removeMember: (id: string, userId: string) => call<unknown>('DELETE', `/api/workspaces/${enc(id)}/members/${enc(userId)}`),
  /** The workspace's invitation links. */
  invitations: (id: string) => call<{ invitations: Invitation[] }>('GET', `/api/workspaces/${enc(id)}/invitations`).then((r) => r.invitations),
  /** Create an invitation link. */
  invite: (id: string, input: InvitationInput) => call<{ id: string; token: string; url: string }>('POST', `/api/workspaces/${enc(id)}/invitations`, input),
  /** Revoke an invitation link. */
  revokeInvitation: (id: string, invitationId: string) => call<unknown>('DELETE', `/api/workspaces/${enc(id)}/invitations/${enc(invitationId)}`)
};

export const invitations = {
  /** What an invitation link offers; 404 when it is invalid, expired or used up. Needs no sign-in. */
  preview: (token: string) => call<InvitationPreview>('GET', `/api/invitations/${enc(token)}`),
  /** Join the invitation's workspace as the signed-in user. */
  accept: (token: string) => call<{ workspaceId: string }>('POST', `/api/invitations/${enc(token)}/accept`)
};

export const notebooks = {
  /** Notebooks the user can open, filtered by title when `q` is given. */
  list: (q = '') => call<{ notebooks: NotebookSummary[] }>('GET', '/api/notebooks' + (q ? `?q=${enc(q)}` : '')).then((r) => r.notebooks),
  /** One notebook with the caller's access to it. */
  get: (id: string) => call<NotebookInfo>('GET', `/api/notebooks/${enc(id)}`),
  /** Create a notebook; returns its id. */
  create: (title: string) => call<{ id: string }>('POST', '/api/notebooks', { title }).then((r) => r.id),
  /** Rename a notebook. */
  rename: (id: string, title: string) => call<unknown>('PATCH', `/api/notebooks/${enc(id)}`, { title }),
  /** Delete a notebook. */
  remove: (id: string) => call<unknown>('DELETE', `/api/notebooks/${enc(id)}`),
  /** Who the notebook is shared with. */
  sharing: (id: string) => call<NotebookSharing>('GET', `/api/notebooks/${enc(id)}/access`),
  /** Replace who the notebook is shared with (its creator, admins and owners). */
  share: (id: string, sharing: NotebookSharing) => call<unknown>('PUT', `/api/notebooks/${enc(id)}/access`, sharing)
};

export const comments = {
  /** The notebook's comments, oldest first (every reader). */
  list: (notebookId: string) => call<CommentList>('GET', `/api/notebooks/${enc(notebookId)}/comments`).then((r) => r.comments),
  /** Comment on a cell (or a text cell's range), or reply to a thread with `parentId`; readers may. */
  create: (notebookId: string, body: CommentCreate) => call<{ id: string; comment: CommentView }>('POST', `/api/notebooks/${enc(notebookId)}/comments`, body).then((r) => r.comment),
  /** Resolve or reopen the thread of comment `id` (its author and the notebook's editors; others 403). */
  setResolved: (id: string, resolved: boolean) => call<unknown>('PATCH', `/api/comments/${enc(id)}`, { resolved })
};

export const reports = {
  /** What is live for a notebook (its version, link, who published it), or `{report: null}`. */
  state: (notebookId: string) => call<PublishState>('GET', `/api/notebooks/${enc(notebookId)}/publish`),
  /** Publish the notebook as it is now; again, the same report's next version (editors). A bad body is a 400 naming the field. */
  publish: (notebookId: string, body: PublishBody) => call<Published>('POST', `/api/notebooks/${enc(notebookId)}/publish`, body),
  /** Take the report down: its link answers 404 from then on (editors). */
  unpublish: (notebookId: string) => call<{ unpublished: boolean }>('DELETE', `/api/notebooks/${enc(notebookId)}/publish`),
  /** A bearer token that reads the report (for machine clients); its secret is answered only this once. */
  createToken: (slug: string) => call<{ id: string; token: string }>('POST', `/api/reports/${enc(slug)}/tokens`),
  /** The report as readers see it: its shown cells and inputs (404 when unpublished or not readable). */
  view: (slug: string) => call<ReportView>('GET', `/api/reports/${enc(slug)}`),
  /** When the report was and will next be refreshed, and each cell's last good time and error (the notebook's editors; others 404/403). */
  refreshState: (slug: string) => call<ReportRefreshState>('GET', `/api/reports/${enc(slug)}/refresh`),
  /** Refresh every shown cell now and check the alerts (the notebook's editors); answers each cell's outcome. */
  refresh: (slug: string) => call<{ refreshed: boolean; ok: boolean; cells: CellRefreshView[] }>('POST', `/api/reports/${enc(slug)}/refresh`),
  /** The report's alerts; raw webhook URLs only for the workspace's owners and admins. */
  alerts: (slug: string) => call<{ alerts: AlertView[] }>('GET', `/api/reports/${enc(slug)}/alerts`).then((r) => r.alerts),
  /** Create an alert; a raw `webhook` URL from an editor is a 403, a bad body a 400 naming the field. */
  createAlert: (slug: string, body: AlertCreate) => call<{ id: string }>('POST', `/api/reports/${enc(slug)}/alerts`, body).then((r) => r.id),
  /** Delete an alert; its history goes with it. */
  deleteAlert: (slug: string, alertId: string) => call<unknown>('DELETE', `/api/reports/${enc(slug)}/alerts/${enc(alertId)}`),
  /** An alert's notifications, newest first, with each attempt's answer. */
  deliveries: (slug: string, alertId: string) =>
    call<{ deliveries: DeliveryView[] }>('GET', `/api/reports/${enc(slug)}/alerts/${enc(alertId)}/deliveries`).then((r) => r.deliveries)
};

/** A notebook at one version: the notebook's JSON view plus the version it shows. */
export type NotebookAtVersion = Omit<NotebookDetail, 'workspaceId' | 'access' | 'canShare' | 'connections'> & { version: VersionInfo };

export const history = {
  /** Versions, newest first, and the names of their authors. */
  versions: (id: string) => call<VersionList>('GET', `/api/notebooks/${enc(id)}/versions`),
  name: (id: string, label: string) => call<{ id: string }>('POST', `/api/notebooks/${enc(id)}/versions`, { label }).then((r) => r.id),
  at: (id: string, versionId: string) => call<NotebookAtVersion>('GET', `/api/notebooks/${enc(id)}/versions/${enc(versionId)}`),
  /** What changed from `from` to `to` (a version id, or 'current' for the live notebook). */
  diff: (id: string, from: string, to: string) => call<NotebookDiff>('GET', `/api/notebooks/${enc(id)}/diff?from=${enc(from)}&to=${enc(to)}`),
  restore: (id: string, versionId: string) => call<{ versionId: string }>('POST', `/api/notebooks/${enc(id)}/restore`, { versionId }).then((r) => r.versionId),
  attribution: (id: string) => call<AttributionView>('GET', `/api/notebooks/${enc(id)}/attribution`)
};

export const forks = {
  /** Fork into `workspaceId` (default: the origin's workspace where the caller edits, else one where they do). */
  create: (id: string, workspaceId?: string) => call<{ id: string }>('POST', `/api/notebooks/${enc(id)}/fork`, workspaceId ? { workspaceId } : {}).then((r) => r.id),
  list: (id: string) => call<{ forks: ForkInfo[] }>('GET', `/api/notebooks/${enc(id)}/forks`).then((r) => r.forks),
  status: (id: string) => call<ForkStatus>('GET', `/api/notebooks/${enc(id)}/fork-status`),
  /** Take the origin's newer changes into the fork. */
  pull: (id: string) => call<{ versionId: string }>('POST', `/api/notebooks/${enc(id)}/pull`, {})
};

export const proposals = {
  create: (forkId: string, title: string, description: string) => call<{ id: string }>('POST', `/api/notebooks/${enc(forkId)}/proposals`, { title, description }).then((r) => r.id),
  /** Proposals made to notebook `id`, and those made from it. */
  of: (id: string) => call<{ proposals: ProposalSummary[] }>('GET', `/api/notebooks/${enc(id)}/proposals`).then((r) => r.proposals),
  get: (id: string) => call<ProposalDetail>('GET', `/api/proposals/${enc(id)}`),
  merge: (id: string, keep: string[]) => call<{ versionId: string }>('POST', `/api/proposals/${enc(id)}/merge`, { keep }),
  close: (id: string) => call<unknown>('POST', `/api/proposals/${enc(id)}/close`, {}),
  comments: (id: string) => call<{ comments: CommentView[] }>('GET', `/api/proposals/${enc(id)}/comments`).then((r) => r.comments),
  comment: (id: string, body: string, parentId?: string) =>
    call<{ id: string; comment: CommentView }>('POST', `/api/proposals/${enc(id)}/comments`, parentId ? { body, parentId } : { body }).then((r) => r.comment)
};

export const provenance = {
  /** Where a result of notebook `notebookId` came from (its readers); 404 when no recorded run made it. */
  ofNotebook: (notebookId: string, resultKey: string) => call<Provenance>('GET', `/api/notebooks/${enc(notebookId)}/provenance/${enc(resultKey)}`),
  /** Where a shown result of report `slug` came from, with the page's input values (`search`, as on the page). */
  ofReport: (slug: string, resultKey: string, search = '') => call<Provenance>('GET', `/api/reports/${enc(slug)}/provenance/${enc(resultKey)}${search}`),
  /** Record a run on this browser's engine (the notebook's editors). */
  record: (notebookId: string, run: BrowserRunBody) => call<unknown>('POST', `/api/notebooks/${enc(notebookId)}/provenance`, run)
};

export const webhooks = {
  /** A workspace's saved alert destinations; `url` only for its owners and admins. */
  list: (workspaceId: string) => call<{ webhooks: WebhookView[] }>('GET', `/api/workspaces/${enc(workspaceId)}/webhooks`).then((r) => r.webhooks),
  /** Save a named destination (owners and admins); returns its id. */
  create: (workspaceId: string, body: WebhookCreate) => call<{ id: string }>('POST', `/api/workspaces/${enc(workspaceId)}/webhooks`, body).then((r) => r.id)
};

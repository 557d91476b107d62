/**
 * Route access rules: every route states one where it is registered (server/http/router.ts
 * refuses a route without one), and `authorize` settles it before the handler runs. What a
 * caller may not see answers 404, exactly like a missing id; 403 only where they may see
 * the thing but not do the action. The rules read from policy.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../store/index.js';
import { isManager, roleAtLeast, type NotebookAccess, type WorkspaceRole } from '../../src/lib/contract/index.js';
import { AppError } from '../errors.js';
import { requireSession } from '../auth/request-user.js';
import type { Session } from '../auth/sessions.js';
import { memberRole } from '../workspaces/repository.js';
import { mayUseConnection, notebookStanding, visibleRunsSql, type ConnectionAccess, type NotebookStanding } from './policy.js';
import { CAIRN_CONNECTION_ID } from '../connections/cairn-connection.js';
import { tokenFromRequest } from '../auth/tokens.js';
import { isReportMember, reportBySlug, reportTokenValid, type ReportRow } from '../reports/repository.js';

/** Who may call a route. `:id` (or `:hash` for files) in the path names the resource. */
export type Rule =
  | { kind: 'public'; why: string }
  | { kind: 'user' }
  | { kind: 'instanceAdmin'; orOpenSignup: boolean }
  | { kind: 'member'; min: WorkspaceRole }
  | { kind: 'workspace'; min: WorkspaceRole }
  | { kind: 'notebook'; need: 'read' | 'edit' | 'share' }
  | { kind: 'connection'; need: 'use' | 'manage' }
  | { kind: 'run'; need: 'read' | 'cancel' }
  | { kind: 'file' }
  | { kind: 'report'; need: 'read' | 'manage' }
  | { kind: 'comment'; need: 'read' | 'resolve' }
  | { kind: 'proposal'; need: 'read' | 'merge' | 'close' };

/** The rules, by what they guard. */
export const allow = {
  /** Anyone, signed in or not; `why` says why that is safe. */
  public: (why: string) => ({ kind: 'public', why }) as const,
  /** Any signed-in user, whatever their workspaces. */
  user: () => ({ kind: 'user' }) as const,
  /** Instance admins (and with `orOpenSignup`, anyone when sign-up is open). */
  instanceAdmin: (orOpenSignup = false) => ({ kind: 'instanceAdmin', orOpenSignup }) as const,
  /** Members of the workspace the request acts in with at least `min`. */
  member: (min: WorkspaceRole) => ({ kind: 'member', min }) as const,
  /** Members of workspace `:id` with at least `min`. */
  workspace: (min: WorkspaceRole) => ({ kind: 'workspace', min }) as const,
  /** Those who may `need` notebook `:id`. */
  notebook: (need: 'read' | 'edit' | 'share') => ({ kind: 'notebook', need }) as const,
  /** Those granted connection `:id` (`manage`: its workspace's owners and admins). */
  connection: (need: 'use' | 'manage') => ({ kind: 'connection', need }) as const,
  /** Those who may see run `:id` (`cancel`: its starter, its notebook's editors, admins). */
  run: (need: 'read' | 'cancel') => ({ kind: 'run', need }) as const,
  /** Those who may read file `:hash`: its uploader, or readers of the notebook (`?notebook=`) holding it. */
  file: () => ({ kind: 'file' }) as const,
  /**
   * Readers of live report `:slug` (`read`: anyone for a public report, else a report token,
   * the workspace's members or the listed ones, as its visibility says); `manage`: the
   * editors of its notebook.
   */
  report: (need: 'read' | 'manage') => ({ kind: 'report', need }) as const,
  /**
   * Readers of the notebook comment `:id` is on (`resolve`: its thread's author and the
   * notebook's editors; other readers 403, since they see the thread).
   */
  comment: (need: 'read' | 'resolve') => ({ kind: 'comment', need }) as const,
  /**
   * Proposal `:id` (`read`: readers of its origin or its fork; `merge`: editors of the
   * origin; `close`: editors of the origin and the proposal's author).
   */
  proposal: (need: 'read' | 'merge' | 'close') => ({ kind: 'proposal', need }) as const
};

/** The proposal a `proposal` rule found, and what the caller may do with its origin. */
export interface ProposalGrant {
  id: string;
  originId: string;
  forkId: string;
  authorId: string | null;
  /** The caller may edit the origin (and so merge and close). */
  editsOrigin: boolean;
}

export interface WorkspaceGrant {
  id: string;
  role: WorkspaceRole;
}

/** What a rule established, handed to the route's handler. */
export type Granted<R extends Rule> = R extends { kind: 'public' }
  ? { session: Session | null }
  : R extends { kind: 'report' }
    ? { session: Session | null; report: ReportRow }
  : R extends { kind: 'user' } | { kind: 'instanceAdmin' }
    ? { session: Session }
    : R extends { kind: 'proposal' }
    ? { session: Session; workspace: WorkspaceGrant; proposal: ProposalGrant }
  : R extends { kind: 'notebook' } | { kind: 'comment' }
      ? { session: Session; workspace: WorkspaceGrant; notebook: NotebookStanding & { access: NotebookAccess } }
      : { session: Session; workspace: WorkspaceGrant };

export interface RuleDeps {
  db: Queryable;
  signupOpen: boolean;
  /** Whether notebook `notebookId`'s document lists a file with `hash`. */
  notebookHoldsFile(notebookId: string, hash: string): Promise<boolean>;
}

const notFound = (what: string) => new AppError('not_found', `No such ${what}.`);

/** Settle `rule` for a request, or throw the AppError to answer with. */
export async function authorize<R extends Rule>(rule: R, req: IncomingMessage, url: URL, params: Record<string, string>, deps: RuleDeps): Promise<Granted<R>> {
  const { db } = deps;
  if (rule.kind === 'public') return { session: await requireSession(db, req).catch(() => null) } as Granted<R>;
  // A report may be read without an account (public, or with a report token).
  if (rule.kind === 'report') return (await authorizeReport(rule.need, req, params.slug ?? '', db)) as Granted<R>;
  const session = await requireSession(db, req);
  const userId = session.user.id;
  const grant = (workspace: WorkspaceGrant, extra: object = {}) => ({ session, workspace, ...extra }) as Granted<R>;

  switch (rule.kind) {
    case 'user':
      return { session } as Granted<R>;
    case 'instanceAdmin':
      if (!session.user.instanceAdmin && !(rule.orOpenSignup && deps.signupOpen)) throw new AppError('forbidden', 'Only instance admins may do this.');
      return { session } as Granted<R>;
    case 'member': {
      const workspace = await actingWorkspace(db, req, userId);
      return grant(atLeast(workspace, rule.min));
    }
    case 'workspace': {
      const role = await memberRole(db, params.id, userId);
      if (!role) throw notFound('workspace');
      return grant(atLeast({ id: params.id, role }, rule.min));
    }
    case 'notebook': {
      const standing = await notebookStanding(db, userId, params.id);
      if (!standing || !standing.access || !standing.role) throw notFound('notebook');
      if (rule.need === 'edit' && standing.access !== 'edit') throw new AppError('forbidden', 'You can view this notebook but not change it.');
      if (rule.need === 'share' && !standing.canShare) throw new AppError('forbidden', "Only the notebook's creator and workspace admins change who has access.");
      return grant({ id: standing.workspaceId, role: standing.role }, { notebook: standing });
    }
    case 'connection': {
      const found = await findConnection(db, req, userId, params.id);
      if (!found) throw notFound('connection');
      const { workspace, access } = found;
      if (!mayUseConnection(access, userId, workspace.role)) throw notFound('connection');
      if (rule.need === 'manage' && !isManager(workspace.role)) throw new AppError('forbidden', 'Only workspace owners and admins manage connections.');
      return grant(workspace);
    }
    case 'run': {
      const rows = await db.query<{ workspace_id: string; user_id: string | null; notebook_id: string | null; role: WorkspaceRole }>(
        `select r.workspace_id, r.user_id, r.notebook_id, m.role from query_runs r
         join workspace_members m on m.workspace_id = r.workspace_id and m.user_id = $1
         where r.id = $2 and ${visibleRunsSql(1, "m.role in ('owner', 'admin')")}`,
        [userId, params.id]
      );
      const run = rows[0];
      if (!run) throw notFound('run');
      const workspace = { id: run.workspace_id, role: run.role };
      if (rule.need === 'cancel' && run.user_id !== userId && !isManager(run.role)) {
        const standing = run.notebook_id ? await notebookStanding(db, userId, run.notebook_id) : null;
        if (standing?.access !== 'edit') throw new AppError('forbidden', 'Only who started a run, its notebook’s editors and admins cancel it.');
      }
      return grant(workspace);
    }
    case 'comment': {
      // A reply is resolved as its thread: the thread's author is the root's.
      const rows = await db.query<{ notebook_id: string; thread_author: string | null }>(
        `select c.notebook_id, case when c.parent_id is null then c.author_id else root.author_id end as thread_author
         from comments c left join comments root on root.id = c.parent_id where c.id = $1`,
        [params.id]
      );
      const comment = rows[0];
      const standing = comment ? await notebookStanding(db, userId, comment.notebook_id) : null;
      if (!comment || !standing?.access || !standing.role) throw notFound('comment');
      if (rule.need === 'resolve' && standing.access !== 'edit' && comment.thread_author !== userId) {
        throw new AppError('forbidden', "Only the thread's author and the notebook's editors resolve or reopen it.");
      }
      return grant({ id: standing.workspaceId, role: standing.role }, { notebook: standing });
    }
    case 'proposal': {
      const rows = await db.query<{ origin_id: string; fork_id: string; author_id: string | null }>('select origin_id, fork_id, author_id from proposals where id = $1', [params.id]);
      const row = rows[0];
      if (!row) throw notFound('proposal');
      const origin = await notebookStanding(db, userId, row.origin_id);
      const fork = await notebookStanding(db, userId, row.fork_id);
      const seen = origin?.access && origin.role ? origin : fork?.access && fork.role ? fork : null;
      if (!seen) throw notFound('proposal');
      const editsOrigin = origin?.access === 'edit';
      if (rule.need === 'merge' && !editsOrigin) throw new AppError('forbidden', "Only the editors of the notebook a proposal is made to merge it.");
      if (rule.need === 'close' && !editsOrigin && row.author_id !== userId) throw new AppError('forbidden', "Only the proposal's author and the notebook's editors close it.");
      return grant({ id: seen.workspaceId, role: seen.role! }, { proposal: { id: params.id, originId: row.origin_id, forkId: row.fork_id, authorId: row.author_id, editsOrigin } });
    }
    case 'file': {
      const hash = params.hash;
      const own = await db.query<{ workspace_id: string; role: WorkspaceRole }>(
        `select f.workspace_id, m.role from files f join workspace_members m on m.workspace_id = f.workspace_id and m.user_id = $2
         where f.hash = $1 and f.uploaded_by = $2 limit 1`,
        [hash, userId]
      );
      if (own[0]) return grant({ id: own[0].workspace_id, role: own[0].role });
      const notebookId = url.searchParams.get('notebook');
      if (notebookId) {
        const standing = await notebookStanding(db, userId, notebookId);
        if (standing?.access && standing.role && (await deps.notebookHoldsFile(notebookId, hash))) return grant({ id: standing.workspaceId, role: standing.role });
      }
      throw notFound('file');
    }
  }
}

/** A live report's readers and managers (see `allow.report`); everyone else gets 404, as for a report that does not exist. */
async function authorizeReport(need: 'read' | 'manage', req: IncomingMessage, slug: string, db: Queryable): Promise<{ session: Session | null; report: ReportRow }> {
  const report = await reportBySlug(db, slug);
  if (!report) throw notFound('report');
  const session = await requireSession(db, req).catch(() => null);
  if (need === 'read') {
    if (report.visibility === 'public') return { session, report };
    const token = tokenFromRequest(req);
    if (token && (await reportTokenValid(db, report.id, token))) return { session, report };
    if (session) {
      const userId = session.user.id;
      const role = await memberRole(db, report.workspaceId, userId);
      const reads = role !== null && (report.visibility === 'workspace' || isManager(role) || report.publishedBy === userId || (await isReportMember(db, report.id, userId)));
      if (reads) return { session, report };
    }
    throw notFound('report');
  }
  const standing = session ? await notebookStanding(db, session.user.id, report.notebookId) : null;
  if (!session || !standing?.access) throw notFound('report');
  if (standing.access !== 'edit') throw new AppError('forbidden', "Only the notebook's editors manage its report.");
  return { session, report };
}

function atLeast(workspace: WorkspaceGrant, min: WorkspaceRole): WorkspaceGrant {
  if (!roleAtLeast(workspace.role, min)) throw new AppError('forbidden', `This needs the ${min} role or higher in the workspace; yours is ${workspace.role}.`);
  return workspace;
}

/**
 * The workspace a request that creates or lists acts in: `x-cairn-workspace` when sent
 * (404 unless a member), else the user's current one, else their first.
 */
export async function actingWorkspace(db: Queryable, req: IncomingMessage, userId: string): Promise<WorkspaceGrant> {
  const header = req.headers['x-cairn-workspace'];
  if (typeof header === 'string' && header) {
    const role = await memberRole(db, header.slice(0, 100), userId);
    if (!role) throw notFound('workspace');
    return { id: header, role };
  }
  const rows = await db.query<{ id: string; role: WorkspaceRole }>(
    `select m.workspace_id as id, m.role from workspace_members m join users u on u.id = m.user_id
     where m.user_id = $1 order by (m.workspace_id = u.current_workspace_id) desc, m.workspace_id = 'default' desc, m.workspace_id limit 1`,
    [userId]
  );
  if (!rows[0]) throw new AppError('forbidden', 'You are not a member of any workspace: ask an admin for an invitation.');
  return rows[0];
}

/**
 * A connection by id, in its own workspace (the built-in `cairn` in the acting one), with
 * the caller's role there and who may use it; null when it does not exist or the caller
 * is not a member of its workspace.
 */
export async function findConnection(db: Queryable, req: IncomingMessage, userId: string, id: string): Promise<{ workspace: WorkspaceGrant; access: ConnectionAccess } | null> {
  if (id === CAIRN_CONNECTION_ID) return { workspace: await actingWorkspace(db, req, userId), access: 'editors' };
  const rows = await db.query<{ workspace_id: string; access: ConnectionAccess | string; role: WorkspaceRole | null }>(
    `select c.workspace_id, c.access, m.role from connections c
     left join workspace_members m on m.workspace_id = c.workspace_id and m.user_id = $2
     where c.id = $1 and c.deleted_at is null`,
    [id, userId]
  );
  const row = rows[0];
  if (!row || !row.role) return null;
  return { workspace: { id: row.workspace_id, role: row.role }, access: parseConnectionAccess(row.access) };
}

/** A connection's stored `access` column. */
export function parseConnectionAccess(v: ConnectionAccess | string): ConnectionAccess {
  return typeof v === 'string' ? (v === 'editors' ? 'editors' : (JSON.parse(v) as ConnectionAccess)) : v;
}

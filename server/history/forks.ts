/**
 * Forks: a notebook whose document starts from its origin's own items (not a copy of its
 * JSON), so a later merge either way lines up item by item. The fork records the origin's
 * version it starts from (its base); pulling the origin's newer changes moves the base.
 */
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import type { Db } from '../store/index.js';
import type { UpdateLog } from '../store/update-log.js';
import type { CollabServer } from '../collab/server.js';
import { AppError } from '../errors.js';
import { initMeta, readTitle, cellsToJSON } from '../../src/lib/doc/index.js';
import { roleAtLeast, type ForkInfo, type ForkStatus } from '../../src/lib/contract/index.js';
import { insertNotebook, newNotebookId } from '../notebooks/repository.js';
import { notebookStanding } from '../access/policy.js';
import { memberRole } from '../workspaces/repository.js';
import { copyClients, countVersionsAfter, getVersion, latestVersion, type VersionRow } from './repository.js';
import { fingerprintOf, summarize, isEmptySummary } from './cell-diff.js';
import type { Authorship } from './authorship.js';
import type { VersionService } from './versions.js';
import { takeChanges } from './take-changes.js';
import { snapshotOf } from './version-doc.js';

export interface ForkRow {
  id: string;
  originId: string | null;
  baseVersionId: string | null;
}

export async function forkRow(db: Db, id: string): Promise<ForkRow | null> {
  const rows = await db.query<{ id: string; forked_from: string | null; forked_from_version: string | null }>(
    'select id, forked_from, forked_from_version from notebooks where id = $1 and deleted_at is null',
    [id]
  );
  return rows[0] ? { id: rows[0].id, originId: rows[0].forked_from, baseVersionId: rows[0].forked_from_version } : null;
}

export class ForkService {
  constructor(
    private readonly db: Db,
    private readonly updateLog: UpdateLog,
    private readonly collab: CollabServer,
    private readonly versions: VersionService,
    private readonly authorship: Authorship
  ) {}

  /**
   * Read `id`'s live state and the version that holds exactly it, in one step: the version is
   * cut from the very state that is returned, or is the latest one when no cell changed since.
   */
  private async stateWithVersion(id: string): Promise<{ state: Uint8Array; title: string; version: VersionRow }> {
    const { state, title } = await this.collab.withRoom(id, (room) => ({ state: Y.encodeStateAsUpdate(room.doc), title: readTitle(room.doc) }));
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    // The base must hold exactly the copied items: a version of equal cells but other items
    // (text typed and deleted again) would make the fork's diff show changes nobody made.
    const latest = await latestVersion(this.db, id);
    const exact = latest && Buffer.from(latest.snapshot).equals(Buffer.from(snapshotOf(doc)));
    const version = exact ? latest : await this.versions.cutFrom(id, doc, { kind: 'auto', always: true });
    doc.destroy();
    return { state, title, version: version! };
  }

  /** The workspace a fork by `userId` goes to: the one asked for, else the origin's, else their current one. */
  private async targetWorkspace(userId: string, originWorkspace: string, asked: string | undefined): Promise<string> {
    if (asked) {
      const role = await memberRole(this.db, asked, userId);
      if (!role) throw new AppError('not_found', 'No such workspace.');
      if (!roleAtLeast(role, 'editor')) throw new AppError('forbidden', 'You are a viewer in that workspace: forking needs editor access there.');
      return asked;
    }
    const here = await memberRole(this.db, originWorkspace, userId);
    if (here && roleAtLeast(here, 'editor')) return originWorkspace;
    const rows = await this.db.query<{ workspace_id: string }>(
      `select workspace_id from workspace_members where user_id = $1 and role in ('owner', 'admin', 'editor') order by workspace_id limit 1`,
      [userId]
    );
    if (!rows[0]) throw new AppError('forbidden', 'You can only read in your workspaces: forking needs editor access in one of them.');
    return rows[0].workspace_id;
  }

  async fork(originId: string, originWorkspace: string, userId: string, askedWorkspace?: string): Promise<string> {
    const workspaceId = await this.targetWorkspace(userId, originWorkspace, askedWorkspace);
    const { state, title, version } = await this.stateWithVersion(originId);
    const id = newNotebookId();
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    const before = Y.encodeStateVector(doc);
    // A fork is a notebook of its own: a new generation, and a title that says what it is.
    initMeta(doc, `${title || 'Untitled'} (fork)`, randomUUID());
    const own = Y.encodeStateAsUpdate(doc, before);
    await insertNotebook(this.db, { id, workspaceId, title: readTitle(doc), createdBy: userId, forkedFrom: originId });
    await this.db.query('update notebooks set forked_from_version = $2 where id = $1', [id, version.id]);
    await this.updateLog.append(id, [state, own]);
    await copyClients(this.db, originId, id);
    await this.authorship.claim(id, userId, doc.clientID);
    await this.versions.cutFrom(id, doc, { kind: 'fork', label: `Forked from \u201c${title || 'Untitled'}\u201d`, by: [userId], always: true });
    doc.destroy();
    return id;
  }

  /** The forks of `originId` that `viewerId` may read. */
  async forksOf(originId: string, viewerId: string): Promise<ForkInfo[]> {
    const rows = await this.db.query<{ id: string; title: string; created_by: string | null; name: string | null }>(
      `select n.id, n.title, n.created_by, u.name from notebooks n left join users u on u.id = n.created_by
       where n.forked_from = $1 and n.deleted_at is null order by n.created_at desc`,
      [originId]
    );
    const out: ForkInfo[] = [];
    for (const r of rows) {
      const standing = await notebookStanding(this.db, viewerId, r.id);
      if (standing?.access) out.push({ id: r.id, title: r.title, owner: r.created_by ?? '', ...(r.name ? { ownerName: r.name } : {}) });
    }
    return out;
  }

  /** How far fork `id` is behind its origin, and whether it has changes of its own. */
  async status(id: string, viewerId: string): Promise<ForkStatus> {
    const row = await forkRow(this.db, id);
    if (!row?.originId || !row.baseVersionId) return { origin: null, versionId: null, behind: 0, ahead: false };
    const origin = await notebookStanding(this.db, viewerId, row.originId);
    const base = await getVersion(this.db, row.originId, row.baseVersionId);
    if (!origin?.access || !base) return { origin: null, versionId: row.baseVersionId, behind: 0, ahead: false };
    const titles = await this.db.query<{ title: string }>('select title from notebooks where id = $1', [row.originId]);
    const cells = await this.collab.withRoom(id, (room) => cellsToJSON(room.doc));
    return {
      origin: { id: row.originId, title: titles[0]?.title ?? '' },
      versionId: row.baseVersionId,
      behind: await countVersionsAfter(this.db, row.originId, base.seq),
      ahead: !isEmptySummary(summarize(base.fingerprint, fingerprintOf(cells)))
    };
  }

  /** Take the origin's changes since the base into fork `id` (its own edits kept); returns the fork's new version. */
  async pull(id: string, userId: string): Promise<VersionRow> {
    const row = await forkRow(this.db, id);
    if (!row?.originId) throw new AppError('not_a_fork', 'This notebook is not a fork of another one.');
    const origin = await notebookStanding(this.db, userId, row.originId);
    if (!origin?.access) throw new AppError('not_found', 'The notebook this was forked from is gone or no longer yours to read.');
    const { state, title, version } = await this.stateWithVersion(row.originId);
    await this.versions.cut(id, { kind: 'auto' });
    await copyClients(this.db, row.originId, id);
    const change = await this.collab.withRoom(id, (room) => room.change((doc) => takeChanges(doc, state)));
    await this.authorship.claim(id, userId, change.clientId);
    await this.db.query('update notebooks set forked_from_version = $2 where id = $1', [id, version.id]);
    const made = await this.versions.cut(id, { kind: 'pull', label: `Took changes from \u201c${title || 'Untitled'}\u201d`, by: [userId], always: true });
    return made!;
  }
}

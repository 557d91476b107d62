/**
 * Proposals: a fork's changes since its base, offered to the origin as a per-cell diff and
 * merged as a Yjs update, so the origin's own edits since the fork are all kept. Cells one
 * side deleted and the other changed are flagged before anyone merges; the deletion wins
 * unless the reviewer keeps the cell.
 */
import * as Y from 'yjs';
import type { Db } from '../store/index.js';
import type { CollabServer } from '../collab/server.js';
import { AppError } from '../errors.js';
import { cellsToJSON } from '../../src/lib/doc/index.js';
import type { CellChange, NotebookDiff } from '../../src/lib/contract/index.js';
import { diffCells } from './cell-diff.js';
import { copyClients, getVersion, type VersionRow } from './repository.js';
import { forkRow } from './forks.js';
import { getProposal, insertProposal, settleProposal, type ProposalRow } from './proposal-repository.js';
import type { Authorship } from './authorship.js';
import type { VersionService } from './versions.js';
import { keepCell, takeChanges } from './take-changes.js';
import { KeyedQueue } from '../keyed-queue.js';

export class ProposalService {
  /** One merge or close of a proposal at a time. */
  private readonly settling = new KeyedQueue();

  constructor(
    private readonly db: Db,
    private readonly collab: CollabServer,
    private readonly versions: VersionService,
    private readonly authorship: Authorship
  ) {}

  /** Open a proposal from fork `forkId` on its origin. */
  async create(forkId: string, authorId: string, title: string, description: string, mayReadOrigin: (originId: string) => Promise<boolean>): Promise<string> {
    const fork = await forkRow(this.db, forkId);
    if (!fork?.originId || !fork.baseVersionId) throw new AppError('not_a_fork', 'This notebook is not a fork: only a fork can propose changes.');
    if (!(await mayReadOrigin(fork.originId))) throw new AppError('not_found', 'The notebook this was forked from is gone or no longer yours to read.');
    return insertProposal(this.db, { originId: fork.originId, forkId, authorId, title, description });
  }

  async get(id: string): Promise<ProposalRow> {
    const row = await getProposal(this.db, id);
    if (!row) throw new AppError('not_found', 'No such proposal.');
    return row;
  }

  /** The fork's base version (in the origin's history). */
  private async base(row: ProposalRow): Promise<VersionRow> {
    const fork = await forkRow(this.db, row.fork);
    const base = fork?.baseVersionId ? await getVersion(this.db, row.origin, fork.baseVersionId) : null;
    if (!base) throw new AppError('not_found', 'The fork of this proposal is gone.');
    return base;
  }

  /** The fork's changes since its base, with conflicts against what the origin did meanwhile. */
  async diff(row: ProposalRow): Promise<NotebookDiff> {
    if (row.state !== 'open') return row.finalDiff ?? { cells: [] };
    const base = await this.base(row);
    const [forkChanges, originChanges] = await Promise.all([this.changesSince(row.fork, base), this.changesSince(row.origin, base)]);
    const inOrigin = new Map(originChanges.map((c) => [c.id, c]));
    for (const change of forkChanges) {
      const other = inOrigin.get(change.id);
      if (!other) continue;
      const edited = (c: CellChange) => c.changes.includes('changed') || c.changes.includes('renamed');
      if (other.change === 'removed' && edited(change)) change.conflict = 'deleted-in-origin';
      else if (change.change === 'removed' && edited(other)) change.conflict = 'changed-in-origin';
    }
    return { cells: forkChanges };
  }

  /** What notebook `id` changed since `base` (a version of the origin, valid in both documents). */
  private async changesSince(id: string, base: VersionRow): Promise<CellChange[]> {
    const history = await this.versions.history(id);
    try {
      const cells = this.versions.cellsAt(history, base.snapshot);
      const now = await this.collab.withRoom(id, (room) => cellsToJSON(room.doc));
      return diffCells(cells, now);
    } finally {
      history.destroy();
    }
  }

  /** Merge into the origin; `keep` names conflicting cells to keep instead of letting the deletion win. */
  async merge(id: string, userId: string, keep: string[]): Promise<VersionRow> {
    return this.settling.run(id, async () => {
      const row = await this.get(id);
      if (row.state !== 'open') throw new AppError('conflict', `This proposal is already ${row.state}.`);
      const diff = await this.diff(row);
      const kept = new Set(keep);
      const keepable = diff.cells.filter((c) => c.conflict && kept.has(c.id));
      // The state before the merge is a version of its own, so restoring it undoes the merge.
      await this.versions.cut(row.origin, { kind: 'auto' });
      const forkState = await this.collab.withRoom(row.fork, (room) => Y.encodeStateAsUpdate(room.doc));
      await copyClients(this.db, row.fork, row.origin);
      const change = await this.collab.withRoom(row.origin, (room) =>
        room.change((doc) => {
          const before = new Y.Doc();
          Y.applyUpdate(before, Y.encodeStateAsUpdate(doc));
          const forkDoc = new Y.Doc();
          Y.applyUpdate(forkDoc, forkState);
          doc.transact(() => {
            takeChanges(doc, forkState);
            for (const c of keepable) keepCell(doc, c.conflict === 'deleted-in-origin' ? forkDoc : before, c.id);
          });
          before.destroy();
          forkDoc.destroy();
        })
      );
      await this.authorship.claim(row.origin, userId, change.clientId);
      const who = row.authorName ?? 'a fork';
      const version = (await this.versions.cut(row.origin, {
        kind: 'merge',
        label: `Merged proposal #${row.number} from ${who}`,
        by: [userId, ...(row.author ? [row.author] : [])],
        always: true
      }))!;
      await settleProposal(this.db, id, 'merged', { mergedBy: userId, mergeVersionId: version.id, finalDiff: diff });
      return version;
    });
  }

  async close(id: string): Promise<void> {
    await this.settling.run(id, async () => {
      const row = await this.get(id);
      if (row.state !== 'open') throw new AppError('conflict', `This proposal is already ${row.state}.`);
      const diff = await this.diff(row).catch(() => ({ cells: [] }));
      await settleProposal(this.db, id, 'closed', { finalDiff: diff });
    });
  }
}

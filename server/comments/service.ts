/**
 * Comments on a notebook's cells: threads (a root and its replies), resolved and reopened
 * as a whole, with `<@userId>` mentions of workspace members. They are checked against the
 * live document (the cell must be in it; a range must lie in that text cell's text) but
 * never written into it, and every change is announced on the notebook's event channel.
 *
 * A comment may instead belong to a proposal on the notebook (`proposalId`): the proposal's
 * cells may be in its fork rather than here, so those are not checked against this
 * document, and they list apart from the notebook's own.
 */
import * as Y from 'yjs';
import type { Db } from '../store/index.js';
import type { CollabServer } from '../collab/server.js';
import type { NotebookEvents } from '../notebooks/events.js';
import { AppError } from '../errors.js';
import { cellKind, cellsOf } from '../../src/lib/doc/index.js';
import { mentionedIds, type CommentRange, type CommentsEvent, type CommentView } from '../../src/lib/contract/index.js';
import { getComment, insertComment, listComments, membersAmong, setThreadResolved } from './repository.js';

/** What `create` needs: the notebook, who writes, and the comment as the client sent it. */
export interface CommentInput {
  notebookId: string;
  /** The notebook's workspace: mentions keep only its members. */
  workspaceId: string;
  authorId: string;
  body: string;
  /** The cell commented on; optional only for a proposal's comments. */
  cellId?: string;
  parentId?: string;
  range?: CommentRange;
  proposalId?: string;
}

export class CommentService {
  constructor(
    private readonly db: Db,
    private readonly collab: CollabServer,
    private readonly events: NotebookEvents
  ) {}

  /** The notebook's comments (or one proposal's), oldest first. */
  list(notebookId: string, proposalId: string | null = null): Promise<CommentView[]> {
    return listComments(this.db, notebookId, proposalId);
  }

  /** Write a comment, or a reply to a thread; returns it as listed. */
  async create(input: CommentInput): Promise<CommentView> {
    const proposalId = input.proposalId ?? null;
    const body = input.body.trim();
    if (!body) throw new AppError('invalid_input', 'A comment needs some text.');
    let cellId = input.cellId ?? null;
    let parentId: string | null = null;
    if (input.parentId) {
      const parent = await getComment(this.db, input.parentId);
      if (!parent || parent.notebookId !== input.notebookId || parent.proposalId !== proposalId) {
        throw new AppError('unknown_parent', 'The comment you are replying to is not in this notebook.');
      }
      if (input.range) throw new AppError('invalid_input', 'A reply cannot have a range of its own: it belongs to its thread.');
      if (cellId !== null && cellId !== parent.cellId) throw new AppError('invalid_input', 'A reply must be on the same cell as its thread.');
      // Threads are one level deep: a reply to a reply joins the same thread.
      parentId = parent.parentId ?? parent.id;
      cellId = parent.cellId;
    }
    if (cellId === null && proposalId === null) throw new AppError('unknown_cell', 'A comment must be on a cell.');
    if (proposalId === null && cellId !== null) await this.checkCell(input.notebookId, cellId, input.range);
    const members = await membersAmong(this.db, input.workspaceId, mentionedIds(body));
    const id = await insertComment(this.db, {
      notebookId: input.notebookId,
      proposalId,
      cellId,
      parentId,
      authorId: input.authorId,
      body,
      range: input.range ?? null,
      mentions: [...members]
    });
    this.announce(input.notebookId, { change: 'added', commentId: id, cellId, proposalId });
    const [view] = await listComments(this.db, input.notebookId, proposalId, [id]);
    return view!;
  }

  /** Resolve or reopen the thread comment `id` belongs to. Who may is settled by the route's rule. */
  async setResolved(id: string, resolved: boolean, userId: string): Promise<void> {
    const comment = await getComment(this.db, id);
    if (!comment) throw new AppError('not_found', 'No such comment.');
    const rootId = comment.parentId ?? comment.id;
    await setThreadResolved(this.db, rootId, resolved, userId);
    this.announce(comment.notebookId, { change: resolved ? 'resolved' : 'reopened', commentId: rootId, cellId: comment.cellId, proposalId: comment.proposalId });
  }

  private announce(notebookId: string, event: Omit<CommentsEvent, 'type'>): void {
    this.events.publish(notebookId, { type: 'comments', ...event });
  }

  /** The cell must be in the document now; a range must be a text cell's and lie in its text. */
  private async checkCell(notebookId: string, cellId: string, range: CommentRange | undefined): Promise<void> {
    const problem = await this.collab.withRoom(notebookId, (room) => {
      const cell = cellsOf(room.doc).get(cellId);
      if (!cell) return 'cell';
      if (!range) return null;
      const prose = cell.get('prose');
      if (cellKind(cell) !== 'text' || !(prose instanceof Y.XmlFragment)) return 'range_kind';
      return within(room.doc, prose, range.start) && within(room.doc, prose, range.end) ? null : 'range';
    });
    if (problem === 'cell') throw new AppError('unknown_cell', 'That cell is not in the notebook (it may have been deleted).');
    if (problem === 'range_kind') throw new AppError('invalid_range', 'Only a text cell’s text can be commented on as a range.');
    if (problem === 'range') throw new AppError('invalid_range', 'The range is not in that cell’s text.');
  }
}

/** Whether the base64 relative position `encoded` resolves to a place inside `fragment`. */
function within(doc: Y.Doc, fragment: Y.XmlFragment, encoded: string): boolean {
  let absolute: Y.AbsolutePosition | null;
  try {
    absolute = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(Buffer.from(encoded, 'base64')), doc);
  } catch {
    return false;
  }
  for (let type: Y.AbstractType<unknown> | null = absolute?.type ?? null; type; type = (type._item?.parent as Y.AbstractType<unknown> | undefined) ?? null) {
    if (type === fragment) return true;
  }
  return false;
}

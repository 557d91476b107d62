/**
 * Notebook operations that touch both the listing row and the Yjs document. Documents are
 * only ever built from stored updates: a new notebook's first update is written to the log
 * before anyone can open it, and later server-side changes go through the live room.
 */
import { AppError } from '../errors.js';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import type { Db } from '../store/index.js';
import type { UpdateLog } from '../store/update-log.js';
import type { CollabServer } from '../collab/server.js';
import type { NotebookEvents } from './events.js';
import { deleteNotebookComments } from '../comments/repository.js';
import { CLOSE, type ForkedFrom } from '../../src/lib/contract/index.js';
import { BROWSER_ENGINE, cellsOf, cellsToJSON, FILES, initMeta, readTitle, setTitle, type CellJSON } from '../../src/lib/doc/index.js';
import { getNotebookRow, insertNotebook, newNotebookId, softDeleteNotebook, touchNotebook } from './repository.js';
import { claimSampleSeeding } from '../workspaces/repository.js';
import { FLIGHTS_TITLE, writeFlightsSample } from './sample-flights.js';

export interface NotebookView {
  id: string;
  title: string;
  updatedAt: string;
  forkedFrom: ForkedFrom | null;
  cells: CellJSON[];
}

/** The ids of the server connections `cells` run on (each once). */
export function connectionIdsOf(cells: CellJSON[]): string[] {
  const ids = new Set<string>();
  for (const cell of cells) if (cell.engine && cell.engine !== BROWSER_ENGINE) ids.add(cell.engine);
  return [...ids];
}

export class NotebookService {
  constructor(
    private readonly db: Db,
    private readonly log: UpdateLog,
    private readonly collab: CollabServer,
    private readonly events: NotebookEvents
  ) {}

  /** Create a notebook whose document holds `title` and whatever `fill` writes. */
  async create(workspaceId: string, userId: string, title: string, fill?: (doc: Y.Doc) => void): Promise<string> {
    const id = newNotebookId();
    const doc = new Y.Doc();
    initMeta(doc, title, randomUUID());
    fill?.(doc);
    // Row first: the log's snapshot table references it. Nobody can open the id until we return it.
    await insertNotebook(this.db, { id, workspaceId, title, createdBy: userId });
    await this.log.append(id, [Y.encodeStateAsUpdate(doc)]);
    doc.destroy();
    return id;
  }

  /** Seed the sample notebook, once per workspace. */
  async seedSample(workspaceId: string, userId: string): Promise<void> {
    if (await claimSampleSeeding(this.db, workspaceId)) await this.create(workspaceId, userId, FLIGHTS_TITLE, writeFlightsSample);
  }

  /** Rename: the title lives in the document, so the change goes to every open copy. */
  async rename(id: string, title: string): Promise<void> {
    await this.collab.withRoom(id, (room) => room.change((doc) => setTitle(doc, title)));
    await touchNotebook(this.db, id, title);
  }

  /** Delete: the row is kept (soft-deleted); its comments go with it, and its open sockets and event streams close. */
  async remove(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await softDeleteNotebook(tx, id))) throw new AppError('not_found', 'No such notebook.');
      await deleteNotebookComments(tx, id);
    });
    await this.collab.evict(id, CLOSE.notFound, 'notebook deleted');
    this.events.close(id, 'the notebook was deleted');
  }

  /** The engine of cell `cellId` ('' for cells without one), or undefined when the notebook has no such cell. */
  async cellEngine(id: string, cellId: string): Promise<string | undefined> {
    return this.collab.withRoom(id, (room) => {
      const cell = cellsOf(room.doc).get(cellId);
      if (!cell) return undefined;
      const engine = cell.get('engine');
      return typeof engine === 'string' ? engine : '';
    });
  }

  /** Whether the notebook's `files` map holds a file with this content hash. */
  async holdsFile(id: string, hash: string): Promise<boolean> {
    return this.collab.withRoom(id, (room) => {
      for (const entry of room.doc.getMap(FILES).values()) {
        if (entry && typeof entry === 'object' && (entry as { hash?: unknown }).hash === hash) return true;
      }
      return false;
    });
  }

  /** The read-only JSON view, from the live document. */
  async view(id: string): Promise<NotebookView> {
    const row = await getNotebookRow(this.db, id);
    if (!row) throw new AppError('not_found', 'No such notebook.');
    const fork = row.forkedFrom ? await this.db.query<{ v: string | null }>('select forked_from_version as v from notebooks where id = $1', [id]) : [];
    return this.collab.withRoom(id, (room) => ({
      ...row,
      forkedFrom: row.forkedFrom ? { id: row.forkedFrom, versionId: fork[0]?.v ?? null } : null,
      title: readTitle(room.doc) || row.title,
      cells: cellsToJSON(room.doc)
    }));
  }
}

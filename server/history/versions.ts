/**
 * A notebook's versions: cut automatically after a pause in editing (and at least every
 * so often while editing goes on), by hand with a name, and around restores, forks and
 * merges. A version is a snapshot read against the stored log (see version-doc.ts), so
 * keeping one costs a few hundred bytes and never copies the log.
 */
import * as Y from 'yjs';
import type { Db } from '../store/index.js';
import type { UpdateLog } from '../store/update-log.js';
import type { CollabServer } from '../collab/server.js';
import type { HistorySettings } from '../config.js';
import { AppError } from '../errors.js';
import { cellsToJSON, readTitle, type CellJSON } from '../../src/lib/doc/index.js';
import type { NotebookDiff, VersionKind } from '../../src/lib/contract/index.js';
import { diffCells, fingerprintOf, isEmptySummary, summarize } from './cell-diff.js';
import { docAt, historyDoc, snapshotOf } from './version-doc.js';
import { clientOwners, getVersion, insertVersion, latestVersion, type VersionRow } from './repository.js';
import { logger } from '../log.js';
import { KeyedQueue } from '../keyed-queue.js';

const log = logger('history');

export interface CutOptions {
  kind: VersionKind;
  label?: string | null;
  /** Authors to list besides those who edited since the last version. */
  by?: string[];
  /** Cut even when no cell changed (named versions, merges). */
  always?: boolean;
}

/** The document state a version is cut from. */
interface DocState {
  snapshot: Uint8Array;
  cells: CellJSON[];
  sv: Map<number, number>;
}

function stateOf(doc: Y.Doc): DocState {
  return { snapshot: snapshotOf(doc), cells: cellsToJSON(doc), sv: Y.decodeStateVector(Y.encodeStateVector(doc)) };
}

interface Editing {
  authors: Set<string>;
  since: number;
  pause: NodeJS.Timeout | null;
}

export class VersionService {
  private readonly editing = new Map<string, Editing>();
  /** Cuts of one notebook run one at a time, so versions are numbered in order. */
  private readonly cuts = new KeyedQueue();

  constructor(
    private readonly db: Db,
    private readonly updateLog: UpdateLog,
    private readonly collab: Pick<CollabServer, 'withRoom'>,
    private readonly settings: HistorySettings,
    /** Told after each version is cut (the notebook's open pages list it live). */
    private readonly onCut: (notebookId: string) => void = () => undefined
  ) {}

  /** `userId` changed notebook `id`: a version follows once editing pauses (or runs long). */
  noteEdit(id: string, userId: string): void {
    let e = this.editing.get(id);
    if (!e) {
      e = { authors: new Set(), since: Date.now(), pause: null };
      this.editing.set(id, e);
    }
    e.authors.add(userId);
    if (e.pause) clearTimeout(e.pause);
    const longEnough = Date.now() - e.since >= this.settings.maxSpanMs;
    e.pause = setTimeout(() => void this.autoCut(id), longEnough ? 0 : this.settings.pauseMs);
    e.pause.unref();
  }

  private async autoCut(id: string): Promise<void> {
    await this.cut(id, { kind: 'auto' }).catch((err) => log.error('could not cut a version', { notebookId: id, err }));
  }

  /** The room is unloading: cut what was edited from its final document, without reopening it. */
  async flush(id: string, doc: Y.Doc): Promise<void> {
    if (!this.editing.has(id)) return;
    await this.cuts.run(id, () => this.cutState(id, stateOf(doc), { kind: 'auto' })).catch((err) => log.error('could not cut a version', { notebookId: id, err }));
  }

  /** Cut a version of the live document now; null when `kind` is auto and nothing changed. */
  cut(id: string, options: CutOptions): Promise<VersionRow | null> {
    return this.cuts.run(id, async () => this.cutState(id, await this.collab.withRoom(id, (room) => stateOf(room.doc)), options));
  }

  /** Cut from a state read elsewhere (a fork reads the state it copies, in the same step). */
  cutFrom(id: string, doc: Y.Doc, options: CutOptions): Promise<VersionRow | null> {
    const state = stateOf(doc);
    return this.cuts.run(id, () => this.cutState(id, state, options));
  }

  private async cutState(id: string, state: DocState, options: CutOptions): Promise<VersionRow | null> {
    const prev = await latestVersion(this.db, id);
    const fingerprint = fingerprintOf(state.cells);
    const summary = summarize(prev?.fingerprint ?? null, fingerprint);
    const editing = this.editing.get(id);
    if (editing?.pause) clearTimeout(editing.pause);
    this.editing.delete(id);
    if (!options.always && prev && isEmptySummary(summary)) return null;
    const authors = new Set([...(options.by ?? []), ...(editing?.authors ?? [])]);
    // Whoever's client wrote new items since the last version is an author too (this covers
    // edits made before a restart, whose in-memory record is gone).
    const before = prev ? Y.decodeSnapshot(prev.snapshot).sv : new Map<number, number>();
    const owners = await clientOwners(this.db, id);
    for (const [client, clock] of state.sv) {
      const owner = owners.get(client);
      if (owner && clock > (before.get(client) ?? 0)) authors.add(owner);
    }
    const row = await insertVersion(this.db, {
      notebookId: id,
      kind: options.kind,
      label: options.label ?? null,
      authors: [...authors],
      summary,
      snapshot: state.snapshot,
      fingerprint
    });
    this.onCut(id);
    return row;
  }

  /** A version of notebook `id` (404 for another notebook's version or a missing one). */
  async version(id: string, versionId: string): Promise<VersionRow> {
    const row = await getVersion(this.db, id, versionId);
    if (!row) throw new AppError('not_found', 'No such version of this notebook.');
    return row;
  }

  /** The whole history of `id` as one GC-free document (see version-doc.ts). */
  async history(id: string): Promise<Y.Doc> {
    return historyDoc(await this.updateLog.load(id));
  }

  /** Notebook `id` at `versionId`: its title and cells. */
  async at(id: string, versionId: string): Promise<{ version: VersionRow; title: string; cells: CellJSON[] }> {
    const version = await this.version(id, versionId);
    const history = await this.history(id);
    const doc = docAt(history, version.snapshot);
    const out = { version, title: readTitle(doc), cells: cellsToJSON(doc) };
    doc.destroy();
    history.destroy();
    return out;
  }

  /**
   * What changed from version `from` (default: the latest version, or the empty notebook
   * when there is none) to version `to` (or the live document).
   */
  async diff(id: string, from: string | null, to: string): Promise<NotebookDiff> {
    const fromRow = from ? await this.version(id, from) : await latestVersion(this.db, id);
    const toRow = to === 'current' ? null : await this.version(id, to);
    const history = await this.history(id);
    try {
      const before = fromRow ? this.cellsAt(history, fromRow.snapshot) : [];
      const after = toRow ? this.cellsAt(history, toRow.snapshot) : await this.collab.withRoom(id, (room) => cellsToJSON(room.doc));
      return { cells: diffCells(before, after) };
    } finally {
      history.destroy();
    }
  }

  cellsAt(history: Y.Doc, snapshot: Uint8Array): CellJSON[] {
    const doc = docAt(history, snapshot);
    const cells = cellsToJSON(doc);
    doc.destroy();
    return cells;
  }

  close(): void {
    for (const e of this.editing.values()) if (e.pause) clearTimeout(e.pause);
    this.editing.clear();
  }
}

/**
 * An open notebook's comments: the threads (a root and its replies) the page shows, kept
 * current by the notebook's event channel, the comment being written, the thread in view,
 * and the workspace's members for `@` mentions.
 */
import { getContext, setContext } from 'svelte';
import { comments as api, workspaces, errorMessage, type CommentCreate, type CommentView, type Member } from '$lib/api';
import type { CommentRange } from '$lib/contract/comments';
import type { NotebookSession } from './session.svelte';
import type { NotebookEvents } from './events.svelte';

export interface Thread {
  root: CommentView;
  replies: CommentView[];
}

/** A new thread being written: on a cell, or on a range of a text cell's text (quoted). */
export interface CommentDraft {
  cellId: string;
  range?: CommentRange;
  quote?: string;
}

export class NotebookComments {
  all = $state.raw<CommentView[]>([]);
  loaded = $state(false);
  error = $state('');
  showResolved = $state(false);
  /** The thread in view: its cell is focused and its range highlighted. */
  active = $state<string | null>(null);
  draft = $state<CommentDraft | null>(null);
  members = $state.raw<Member[]>([]);
  /** Opens the side panel on the Comments tab (set by the page). */
  show: () => void = () => undefined;

  /** Threads by root id, replies oldest first. */
  readonly threads = $derived.by(() => {
    const byRoot = new Map<string, Thread>();
    for (const c of this.all) if (!c.parentId) byRoot.set(c.id, { root: c, replies: [] });
    for (const c of this.all) if (c.parentId) byRoot.get(c.parentId)?.replies.push(c);
    return byRoot;
  });

  readonly session: NotebookSession;
  readonly #stops: (() => void)[] = [];
  #loading: Promise<void> | null = null;
  #again = false;

  constructor(session: NotebookSession, events: NotebookEvents) {
    this.session = session;
    this.#stops.push(events.on('comments', () => void this.refresh()));
    // Events missed while the stream was down are not replayed: every (re)open refetches.
    this.#stops.push(events.onOpen(() => void this.refresh()));
    void this.refresh();
    if (session.workspaceId) {
      workspaces
        .members(session.workspaceId)
        .then((m) => (this.members = m))
        .catch((e: unknown) => console.warn('could not load members for mentions', e));
    }
  }

  /** Open threads on cell `cellId`. */
  openCount(cellId: string): number {
    let n = 0;
    for (const t of this.threads.values()) if (t.root.cellId === cellId && !t.root.resolved) n++;
    return n;
  }

  /**
   * Threads in the order the panel lists them: by cell in document order, oldest first;
   * threads on cells deleted since follow at the end, so none is lost from view.
   */
  ordered(cellOrder: string[]): { cellId: string; threads: Thread[] }[] {
    const groups = new Map<string, Thread[]>();
    for (const t of this.threads.values()) {
      if (!t.root.cellId || (!this.showResolved && t.root.resolved && t.root.id !== this.active)) continue;
      const list = groups.get(t.root.cellId) ?? [];
      list.push(t);
      groups.set(t.root.cellId, list);
    }
    const present = new Set(cellOrder);
    const ids = [...cellOrder.filter((id) => groups.has(id)), ...[...groups.keys()].filter((id) => !present.has(id))];
    return ids.map((cellId) => ({ cellId, threads: groups.get(cellId)! }));
  }

  /** The range of the thread in view, when it is on cell `cellId`. */
  activeRange(cellId: string): CommentRange | null {
    const t = this.active ? this.threads.get(this.active) : undefined;
    return t && t.root.cellId === cellId ? (t.root.range ?? null) : null;
  }

  /** Start a new thread on a cell (or a selected range) and show the panel. */
  compose(draft: CommentDraft): void {
    this.draft = draft;
    this.active = null;
    this.show();
  }

  /** Whether the user may resolve or reopen `thread`: its author, or an editor of the notebook. */
  canResolve(thread: Thread, userId: string | undefined): boolean {
    return !this.session.readOnly || (userId !== undefined && thread.root.author?.id === userId);
  }

  /** Post a comment; the list refreshes from the answer and the event that follows. */
  async post(body: CommentCreate): Promise<CommentView> {
    const comment = await api.create(this.session.id, body);
    this.all = [...this.all.filter((c) => c.id !== comment.id), comment];
    return comment;
  }

  async setResolved(thread: Thread, resolved: boolean): Promise<void> {
    await api.setResolved(thread.root.id, resolved);
    await this.refresh();
  }

  /** Refetch the list; calls that arrive meanwhile coalesce into one more fetch. */
  refresh(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = (async () => {
      do {
        this.#again = false;
        try {
          this.all = await api.list(this.session.id);
          this.error = '';
        } catch (e) {
          this.error = errorMessage(e);
        }
      } while (this.#again);
      this.loaded = true;
    })().finally(() => (this.#loading = null));
    return this.#loading;
  }

  destroy(): void {
    for (const stop of this.#stops) stop();
  }
}

const KEY = Symbol('notebook-comments');

/** Make the page's comments reachable from its cells and panels. */
export function setNotebookComments(get: () => NotebookComments | null): void {
  setContext(KEY, get);
}

/** The page's comments getter (call it in a `$derived` to follow the page), or undefined outside a notebook page. */
export function getNotebookComments(): (() => NotebookComments | null) | undefined {
  return getContext<(() => NotebookComments | null) | undefined>(KEY);
}

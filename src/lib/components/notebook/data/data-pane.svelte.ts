/**
 * The page's "add data" state, shared by the header toggle, the Data panel, the drop
 * overlay and the URL dialog: whether the panel is open, the notebook's files (live from
 * the document), uploads in progress or failed, and the cell that last had focus (where a
 * sample's query goes).
 */
import { tick } from 'svelte';
import { FileInputError } from '$lib/kernel';
import { addDataFile, addDataUrl, insertQueryCell, observeFiles, removeFile, type NotebookFile } from '$lib/notebook/data';
import { cellOf, focusCell } from '$lib/notebook/focus';
import type { NotebookSession } from '$lib/notebook/session.svelte';

/** The side panel's tabs: add data, browse an engine's schema, the notebook's server runs, history, review, comments. */
export type SideTab = 'data' | 'schema' | 'runs' | 'history' | 'review' | 'comments';

/** One upload the panel shows: under way, or failed with a message to read. */
export interface Upload {
  id: number;
  name: string;
  status: 'uploading' | 'error';
  message: string;
}

function messageOf(e: unknown): string {
  if (e instanceof FileInputError) return e.message;
  if (e instanceof Error) return `Could not add the data: ${e.message}`;
  return `Could not add the data: ${String(e)}`;
}

export class DataPane {
  /** Whether the side panel is open (on any tab). */
  open = $state(false);
  tab = $state<SideTab>('data');
  files = $state.raw<NotebookFile[]>([]);
  uploads = $state<Upload[]>([]);
  urlOpen = $state(false);
  urlBusy = $state(false);
  urlError = $state('');
  /** The cell that last had keyboard focus (a sample's query is inserted after it). */
  lastCell = $state<string | null>(null);

  readonly session: NotebookSession;
  #next = 1;
  #urlAbort: AbortController | null = null;
  readonly #cleanups: (() => void)[] = [];

  constructor(session: NotebookSession) {
    this.session = session;
    this.#cleanups.push(observeFiles(session.doc, (files) => (this.files = files)));
    const onFocus = (e: FocusEvent) => {
      const id = cellOf(e.target)?.dataset.cellId;
      if (id) this.lastCell = id;
    };
    document.addEventListener('focusin', onFocus);
    this.#cleanups.push(() => document.removeEventListener('focusin', onFocus));
  }

  /** The header's Data button: open on the Data tab, or close when that is what shows. */
  toggle(): void {
    if (this.open && this.tab === 'data') this.open = false;
    else this.show('data');
  }

  /** Open the side panel on `tab`. */
  show(tab: SideTab): void {
    this.tab = tab;
    this.open = true;
  }

  get busy(): boolean {
    return this.uploads.some((u) => u.status === 'uploading');
  }

  /** Upload each file, one after another; failures stay listed in the panel and are toasted. */
  async addFiles(files: Iterable<File>): Promise<void> {
    const list = [...files];
    // Readers cannot add files (the server refuses their uploads and document changes).
    if (list.length === 0 || this.session.readOnly) return;
    // Progress and errors show in the panel.
    this.show('data');
    const entries = list.map((f) => this.#track(f.name));
    for (const [i, file] of list.entries()) {
      const entry = entries[i];
      try {
        const { table } = await addDataFile(this.session, file);
        this.#drop(entry.id);
        this.session.toasts.show(`Added ${file.name} as ${table}`);
      } catch (e) {
        this.#fail(entry.id, messageOf(e));
        this.session.toasts.show(messageOf(e));
      }
    }
  }

  /** Fetch `url`, upload and record it; a failure stays in the dialog (and is returned). */
  async addUrl(url: string): Promise<boolean> {
    if (this.session.readOnly) return false;
    this.#urlAbort?.abort();
    const abort = (this.#urlAbort = new AbortController());
    this.urlBusy = true;
    this.urlError = '';
    const entry = this.#track(url.replace(/[?#].*$/, '').split('/').filter(Boolean).at(-1) ?? url);
    try {
      const { table } = await addDataUrl(this.session, url, { signal: abort.signal });
      this.#drop(entry.id);
      this.urlOpen = false;
      this.show('data');
      this.session.toasts.show(`Added ${table} from the URL`);
      return true;
    } catch (e) {
      this.#drop(entry.id);
      if (!abort.signal.aborted) this.urlError = messageOf(e);
      return false;
    } finally {
      if (this.#urlAbort === abort) {
        this.#urlAbort = null;
        this.urlBusy = false;
      }
    }
  }

  /** Close the URL dialog, stopping a fetch or upload under way (nothing is recorded). */
  cancelUrl(): void {
    this.#urlAbort?.abort();
    this.#urlAbort = null;
    this.urlBusy = false;
    this.urlError = '';
    this.urlOpen = false;
  }

  dismiss(id: number): void {
    this.#drop(id);
  }

  removeFile(table: string): void {
    if (this.session.readOnly) return;
    removeFile(this.session.doc, table);
    this.session.toasts.show(`Removed ${table}`);
  }

  /** Add `select * from <table>` after the focused cell (or at the end), focus it and run it. */
  async query(table: string): Promise<void> {
    const s = this.session;
    if (s.readOnly) return;
    const after = this.lastCell ? s.state.indexOf(this.lastCell) : -1;
    const id = insertQueryCell(s, table, after >= 0 ? after + 1 : undefined);
    await tick();
    focusCell(id);
    s.runner.run(id);
  }

  #track(name: string): Upload {
    const entry: Upload = { id: this.#next++, name, status: 'uploading', message: '' };
    this.uploads = [...this.uploads, entry];
    return entry;
  }

  #drop(id: number): void {
    this.uploads = this.uploads.filter((u) => u.id !== id);
  }

  #fail(id: number, message: string): void {
    this.uploads = this.uploads.map((u) => (u.id === id ? { ...u, status: 'error', message } : u));
  }

  destroy(): void {
    this.#urlAbort?.abort();
    for (const c of this.#cleanups.splice(0)) c();
  }
}

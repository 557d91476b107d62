/** The notebook list page's state: the search, the loaded list, and the list actions. */
import { ApiError, notebooks, redirectIfSignedOut, type NotebookSummary } from './api';

export class NotebookList {
  items = $state.raw<NotebookSummary[]>([]);
  query = $state('');
  loaded = $state(false);
  error = $state('');
  #seq = 0;

  /** Load the notebooks matching `query`; an older answer arriving late is dropped. */
  async load(): Promise<void> {
    const seq = ++this.#seq;
    try {
      const items = await notebooks.list(this.query.trim());
      if (seq !== this.#seq) return;
      this.items = [...items].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
      this.error = '';
      this.loaded = true;
    } catch (e) {
      if (redirectIfSignedOut(e)) return;
      if (seq === this.#seq) this.error = message(e);
    }
  }

  /** Create a notebook; returns its id. */
  create(title: string): Promise<string> {
    return notebooks.create(title);
  }

  /** Rename in place; on failure the old title comes back and the error is shown. */
  async rename(id: string, title: string): Promise<void> {
    const before = this.items;
    this.items = this.items.map((n) => (n.id === id ? { ...n, title, updatedAt: new Date().toISOString() } : n));
    try {
      await notebooks.rename(id, title);
    } catch (e) {
      this.items = before;
      if (!redirectIfSignedOut(e)) this.error = message(e);
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await notebooks.remove(id);
      this.items = this.items.filter((n) => n.id !== id);
    } catch (e) {
      if (!redirectIfSignedOut(e)) this.error = message(e);
    }
  }
}

function message(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  console.error(e);
  return 'Something went wrong.';
}

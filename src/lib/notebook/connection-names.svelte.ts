/**
 * The connections a notebook's cells run on, by name, as `GET /api/notebooks/:id` gives
 * them to every reader. A user who may not use a connection (a viewer, an editor without a
 * grant) cannot list it, yet their cells must still say where they run and why they do not
 * run here. An id no answer covered yet (a cell switched engine since) is asked once.
 */
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { BROWSER_ENGINE } from '$doc';
import type { NotebookInfo } from '$lib/api';
import type { ConnectionName } from '$lib/warehouse';

export class ConnectionNames {
  readonly #byId = new SvelteMap<string, ConnectionName>();
  /** Engine ids an answer covered: one of them not in `#byId` is no connection of the workspace. */
  readonly #covered = new SvelteSet<string>();
  readonly #asked = new Set<string>();
  #asking: Promise<void> | null = null;

  constructor(private readonly fetchInfo: () => Promise<NotebookInfo>) {}

  /** Take in a notebook view's `connections` (a server that predates them sends none: nothing is learnt). */
  learn(info: NotebookInfo): void {
    if (!info.connections) return;
    for (const c of info.connections) this.#byId.set(c.id, c);
    for (const cell of info.cells ?? []) if (cell.engine && cell.engine !== BROWSER_ENGINE) this.#covered.add(cell.engine);
  }

  /** The name and kind of connection `id`, when the notebook's workspace has it. */
  get(id: string): ConnectionName | undefined {
    return this.#byId.get(id);
  }

  /** Whether the server said `id` is no connection of the notebook's workspace (deleted, or never there). */
  absent(id: string): boolean {
    return this.#covered.has(id) && !this.#byId.has(id);
  }

  /** Ask the server about `id` unless an answer covered it or it was asked already. */
  lookup(id: string): Promise<void> {
    if (id === BROWSER_ENGINE || this.#covered.has(id) || this.#asked.has(id)) return this.#asking ?? Promise.resolve();
    this.#asked.add(id);
    this.#asking ??= this.fetchInfo()
      .then((info) => this.learn(info))
      .catch((e: unknown) => console.warn('Could not read the notebook’s connection names', e))
      .finally(() => (this.#asking = null));
    return this.#asking;
  }
}

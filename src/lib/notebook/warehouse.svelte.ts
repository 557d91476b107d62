/**
 * What a notebook page knows about where its SQL runs: the workspace's connections, each
 * engine's tables and columns (server catalogues, and for the browser engine the samples,
 * the notebook's files and its cell results), the completion schema the SQL editors use,
 * and the SQL editor that last had focus (where the schema browser inserts a table name).
 * One per page, shared through Svelte context.
 */
import { getContext, setContext, untrack } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import { EditorView } from '@codemirror/view';
import type { SqlLanguageConfig } from '$lib/editors/code-editor';
import { SAMPLES } from '$kernels/samples.js';
import type { ColumnInfo } from '$kernels/engine.js';
import { ConnectionList, completionNamespace, defaultSchemaOf, dialectOf, messageOf, tableRef } from '$lib/connections';
import { getKernel, kernelStarted } from '$lib/kernel';
import { BROWSER_ENGINE } from '$doc';
import type { ConnectionKind, ConnectionView, TableInfo } from '$lib/warehouse';
import { observeFiles, type NotebookFile } from './data';
import type { NotebookSession } from './session.svelte';

/** One engine's catalogue as the page last read it. */
export interface EngineSchema {
  tables: TableInfo[];
  loading: boolean;
  error: string;
}

/**
 * Where a SQL cell's engine stands for this user: the browser; a connection they may use;
 * one of the workspace's they may not use (`denied`: they see its name and last results);
 * one the workspace does not have (`missing`); or not known yet (`unknown`).
 */
export type EngineStanding = 'browser' | 'usable' | 'denied' | 'missing' | 'unknown';

/** The browser engine's groups in the schema tree. */
export const BROWSER_GROUPS: Record<string, string> = { results: 'Cell results', files: 'Files', samples: 'Samples', main: 'Other tables' };

export class NotebookWarehouse {
  readonly connections: ConnectionList;
  /** Server catalogues by connection id. */
  readonly #server = new SvelteMap<string, EngineSchema>();
  /** What the page's DuckDB has loaded (empty until something started it). */
  #kernelTables = $state.raw<TableInfo[]>([]);
  #kernelLoading = $state(false);
  #files = $state.raw<NotebookFile[]>([]);
  #editor: EditorView | null = null;
  /** The engine of the SQL cell last edited: where the Schema tab starts. */
  focusedEngine = $state<string | null>(null);
  /** When the browser engine's tables were last read (they change as cells run and files load). */
  #browserReadAt = 0;
  readonly #cleanups: (() => void)[] = [];
  /** The last completion config per engine, with its JSON, so an equal one is the same object. */
  readonly #completions = new Map<string, { key: string; config: SqlLanguageConfig }>();

  constructor(readonly session: NotebookSession) {
    this.connections = new ConnectionList(session.api);
    void this.connections.load();
    this.#cleanups.push(observeFiles(session.doc, (files) => (this.#files = files)));
    const onFocus = (e: FocusEvent) => this.#trackEditor(e.target);
    document.addEventListener('focusin', onFocus);
    this.#cleanups.push(() => document.removeEventListener('focusin', onFocus));
  }

  /** The connection a cell's `engine` names; undefined for the browser, or when it no longer exists. */
  connection(engine: string): ConnectionView | undefined {
    return engine === BROWSER_ENGINE ? undefined : this.connections.byId(engine);
  }

  /** Where `engine` stands for this user (see {@link EngineStanding}). */
  standing(engine: string): EngineStanding {
    if (engine === BROWSER_ENGINE) return 'browser';
    if (this.connections.byId(engine)) return 'usable';
    // Until the list of usable ones is read, a named connection may still be one of them.
    if (!this.connections.loaded || this.connections.error) return 'unknown';
    const names = this.session.connectionNames;
    if (names.get(engine)) return 'denied';
    return names.absent(engine) ? 'missing' : 'unknown';
  }

  /** A connection id the workspace does not have (deleted, or from another workspace): say so on the cell. */
  isMissing(engine: string): boolean {
    return this.standing(engine) === 'missing';
  }

  /** The name and kind of `engine`'s connection, whether or not this user may use it. */
  named(engine: string): { name: string; kind: ConnectionKind; builtin: boolean } | undefined {
    if (engine === BROWSER_ENGINE) return undefined;
    return this.connections.byId(engine) ?? this.session.connectionNames.get(engine);
  }

  /** The display name of an engine. */
  engineName(engine: string): string {
    if (engine === BROWSER_ENGINE) return 'Browser (DuckDB-WASM)';
    return this.named(engine)?.name ?? `Missing connection (${engine})`;
  }

  /** Tables of `engine` as last read; reading it does not fetch (call {@link ensure}). */
  schema(engine: string): EngineSchema {
    if (engine === BROWSER_ENGINE) return { tables: this.#browserTables(), loading: this.#kernelLoading, error: '' };
    return this.#server.get(engine) ?? { tables: [], loading: false, error: '' };
  }

  /**
   * Read `engine`'s catalogue unless it has been read already, once it is known the user may
   * use it (any other answers 404). Safe in an effect: it depends only on `engine`.
   */
  ensure(engine: string): void {
    untrack(() => {
      if (engine === BROWSER_ENGINE) return this.#refreshBrowserSoon();
      void this.connections.loadedOnce().then(() => {
        if (!this.#server.has(engine) && this.standing(engine) === 'usable') void this.refresh(engine);
      });
    });
  }

  /** Read `engine`'s catalogue again (the server's cache too). */
  async refresh(engine: string): Promise<void> {
    if (engine === BROWSER_ENGINE) {
      // Only ask a started engine: starting DuckDB-WASM just to list nothing would cost seconds.
      if (!kernelStarted()) return;
      this.#browserReadAt = Date.now();
      this.#kernelLoading = true;
      try {
        this.#kernelTables = await (await getKernel()).schema();
      } catch (e) {
        console.warn('Could not read the browser engine’s tables', e);
      } finally {
        this.#kernelLoading = false;
      }
      return;
    }
    const previous = this.#server.get(engine);
    this.#server.set(engine, { tables: previous?.tables ?? [], loading: true, error: '' });
    try {
      this.#server.set(engine, { tables: await this.session.api.schema(engine, previous !== undefined), loading: false, error: '' });
    } catch (e) {
      this.#server.set(engine, { tables: previous?.tables ?? [], loading: false, error: messageOf(e) });
    }
  }

  /** Load a sample or file into the browser engine so its columns are known. */
  async loadBrowserTable(name: string): Promise<void> {
    const kernel = await getKernel();
    await kernel.ensureSources([name]);
    await this.refresh(BROWSER_ENGINE);
  }

  /** The SQL editors' language settings for a cell running on `engine`: dialect and completion schema. */
  completion(engine: string): SqlLanguageConfig {
    const results = this.#resultTables();
    let config: SqlLanguageConfig;
    if (engine === BROWSER_ENGINE) {
      // Cell results are listed once, from `results`, with the columns this page computed.
      const tables = this.#browserTables().filter((t) => t.schema !== 'results');
      config = { dialect: 'duckdb', schema: completionNamespace(tables, '', results) };
    } else {
      const connection = this.connection(engine);
      config = {
        dialect: dialectOf(this.named(engine)?.kind ?? 'postgres'),
        schema: completionNamespace(this.schema(engine).tables, defaultSchemaOf(connection ?? null), results)
      };
    }
    // Every run makes new result objects, but re-running a cell rarely changes its columns.
    // Handing back the same config then spares each SQL editor a language reconfigure, which
    // re-parses its text and forces a synchronous layout (measured with bench/browser-sql).
    const key = JSON.stringify(config);
    const cached = this.#completions.get(engine);
    if (cached?.key === key) return cached.config;
    this.#completions.set(engine, { key, config });
    return config;
  }

  /** How a table of `engine` should be written in a query. */
  tableName(engine: string, table: TableInfo): string {
    if (engine === BROWSER_ENGINE) return tableRef('duckdb', table, table.schema);
    const connection = this.connection(engine);
    return tableRef(dialectOf(this.named(engine)?.kind ?? 'postgres'), table, defaultSchemaOf(connection ?? null));
  }

  /**
   * Put `text` at the cursor of the SQL editor that last had focus, if it is still on the
   * page; otherwise copy it to the clipboard. Returns which it did.
   */
  async insert(text: string): Promise<'inserted' | 'copied' | 'failed'> {
    const view = this.#editor;
    if (view && view.dom.isConnected) {
      view.dispatch(view.state.replaceSelection(text));
      view.focus();
      return 'inserted';
    }
    try {
      await navigator.clipboard.writeText(text);
      return 'copied';
    } catch {
      return 'failed';
    }
  }

  destroy(): void {
    for (const c of this.#cleanups.splice(0)) c();
    this.#editor = null;
  }

  /** Remember the SQL editor focus is in; forget it when focus moves elsewhere in the notebook (not to the side panel). */
  #trackEditor(target: EventTarget | null): void {
    if (!(target instanceof Element)) return;
    const cm = target.closest<HTMLElement>('.cm-editor');
    if (cm && cm.closest('[data-kind="sql"]')) {
      this.#editor = EditorView.findFromDOM(cm);
      const id = cm.closest<HTMLElement>('[data-cell-id]')?.dataset.cellId;
      const cell = id ? this.session.state.cells.find((c) => c.id === id) : undefined;
      if (cell) this.focusedEngine = cell.engine;
      // About to type: bring completions up to date with what ran since.
      this.#refreshBrowserSoon();
      return;
    }
    if (!target.closest('[data-side-panel]')) this.#editor = null;
  }

  /** Re-read the browser engine's tables if it is running and they are more than a few seconds old. */
  #refreshBrowserSoon(): void {
    if (!kernelStarted() || Date.now() - this.#browserReadAt < 5000) return;
    this.#browserReadAt = Date.now();
    void this.refresh(BROWSER_ENGINE);
  }

  /** Named cells with the columns of their last result, when this page computed one. */
  #resultTables(): TableInfo[] {
    const out: TableInfo[] = [];
    for (const cell of this.session.state.cells) {
      if (!cell.name || cell.kind === 'text') continue;
      const output = this.session.runner.output(cell.id);
      const columns: ColumnInfo[] =
        output && (output.kind === 'sql' || output.kind === 'chart') ? output.table.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })) : [];
      out.push({ schema: 'results', name: cell.name, kind: 'view', columns, rowEstimate: output && (output.kind === 'sql' || output.kind === 'chart') ? output.table.numRows : null });
    }
    return out;
  }

  /** The browser engine as a catalogue: cell results, files, samples, then anything else DuckDB holds. */
  #browserTables(): TableInfo[] {
    const loaded = new Map(this.#kernelTables.map((t) => [t.name.toLowerCase(), t]));
    const seen = new Set<string>();
    const out: TableInfo[] = [];
    const add = (t: TableInfo) => {
      seen.add(t.name.toLowerCase());
      out.push(t);
    };
    for (const t of this.#resultTables()) add(t);
    for (const f of this.#files) {
      const k = loaded.get(f.table.toLowerCase());
      add({ schema: 'files', name: f.table, kind: 'table', columns: k?.columns ?? [], rowEstimate: k?.rowEstimate ?? null });
    }
    for (const s of SAMPLES) {
      const k = loaded.get(s.name);
      add({ schema: 'samples', name: s.name, kind: 'table', columns: k?.columns ?? [], rowEstimate: k?.rowEstimate ?? null });
    }
    for (const t of this.#kernelTables) if (!seen.has(t.name.toLowerCase())) add({ ...t, schema: 'main' });
    return out;
  }
}

const KEY = Symbol('notebook-warehouse');

/**
 * Give the components below the page's warehouse. It is a getter because the page creates
 * the warehouse with its session, after the page component itself initialised.
 */
export function setNotebookWarehouse(get: () => NotebookWarehouse | null): void {
  setContext(KEY, get);
}

/** The page's warehouse, or undefined outside a notebook page (read once, when a component initialises). */
export function getNotebookWarehouse(): NotebookWarehouse | undefined {
  return getContext<(() => NotebookWarehouse | null) | undefined>(KEY)?.() ?? undefined;
}

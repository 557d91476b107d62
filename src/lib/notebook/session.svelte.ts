/**
 * An open notebook: its Yjs document, the websocket provider, and the rune states the page
 * renders from. Created when the notebook page mounts, destroyed when it unmounts.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import type { User } from '$lib/api';
import { userColor } from '$lib/user-color';
import { Connection } from './connection.svelte';
import { NotebookState } from './notebook-state.svelte';
import { Presence, type AwarenessUser } from './presence.svelte';
import { Toasts } from './toast.svelte';
import { createStructuralUndo } from './undo';
import { NotebookRunner } from './run/runner.svelte';
import { createExecutor, type CellKernel } from './run/executor';
import { Sandboxes } from './run/sandboxes';
import { ResultTables } from './run/result-tables';
import { getKernel, setNotebookFiles, sqlParser } from '$lib/kernel';
import { DEFAULT_CACHE_TTL_SECONDS, FILES, cellTtl, cellsOf } from '$doc';
import { WarehouseApi, type ConnectionKind, type ConnectionView } from '$lib/warehouse';
import { createServerCellRunner } from './run/server-cells';

/** The websocket endpoint of the collaboration server, on this page's origin. */
export function collabUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab`;
}

/** Origin of run requests: not the structural undo's origin, so Ctrl-Z never "un-runs". */
const RUN_ORIGIN = Symbol('cairn-run');

export class NotebookSession {
  readonly id: string;
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly connection: Connection;
  readonly state: NotebookState;
  readonly presence: Presence;
  readonly undo: Y.UndoManager;
  readonly toasts = new Toasts();
  readonly sandboxes: Sandboxes;
  /** Cell results registered as DuckDB tables, when something reads them by name. */
  readonly results = new ResultTables();
  readonly runner: NotebookRunner;
  readonly #stopFiles: () => void;
  readonly #api = new WarehouseApi();
  #connections: Promise<Map<string, ConnectionView>> | null = null;

  constructor(id: string, user: User) {
    this.id = id;
    this.provider = new WebsocketProvider(collabUrl(), id, this.doc);
    const me: AwarenessUser = { id: user.id, name: user.name || user.email, ...userColor(user.id) };
    this.provider.awareness.setLocalStateField('user', me);
    this.connection = new Connection(this.provider);
    this.state = new NotebookState(this.doc);
    this.presence = new Presence(this.provider.awareness);
    this.undo = createStructuralUndo(this.doc);
    this.sandboxes = new Sandboxes((cellId) => void this.runner.runtime.run([cellId], { force: true }));
    this.runner = new NotebookRunner(this.doc, {
      me: me.name,
      origin: RUN_ORIGIN,
      parser: sqlParser,
      createExecutor: (publish) =>
        createExecutor({
          kernel: () => this.kernel(),
          results: this.results,
          sandbox: (id) => this.sandboxes.get(id),
          publish,
          runServerCell: createServerCellRunner({
            api: this.#api,
            notebookId: id,
            graph: () => this.runner.runtime.graph,
            connection: (connectionId) => this.#connection(connectionId),
            runAsk: (cellId) => this.runner.runAsk(cellId),
            ttlSeconds: (cellId) => this.#ttlSeconds(cellId),
            publish,
            note: (cellId, note) => this.runner.setNote(cellId, note)
          })
        })
    });
    // The engine loads files users added by the names the notebook's `files` map gives them.
    const files = this.doc.getMap(FILES);
    const syncFiles = () => setNotebookFiles(files.toJSON(), id);
    files.observe(syncFiles);
    syncFiles();
    this.#stopFiles = () => files.unobserve(syncFiles);
    // Opening a notebook computes its results, once the stored document is here.
    const onSync = (synced: boolean) => {
      if (!synced) return;
      this.provider.off('sync', onSync);
      void this.runner.start().then(() => this.runner.runLocally());
    };
    this.provider.on('sync', onSync);
  }

  /** A connection's kind and whether it has the samples, from a list read once (and again for an id not in it: one added since). */
  async #connection(connectionId: string): Promise<{ kind: ConnectionKind; hasSamples: boolean } | null> {
    const load = () => this.#api.listConnections().then((list) => new Map(list.map((c) => [c.id, c])));
    this.#connections ??= load();
    let known = await this.#connections.catch(() => null);
    if (!known?.has(connectionId)) known = await (this.#connections = load());
    const c = known.get(connectionId);
    // A server DuckDB without a database file is the in-memory one with the bundled samples.
    return c ? { kind: c.kind, hasSamples: c.kind === 'duckdb' && !c.config.path } : null;
  }

  /** A server cell's cache TTL: its `ttl` field (seconds), else the default. */
  #ttlSeconds(cellId: string): number {
    const cell = cellsOf(this.doc).get(cellId);
    return cell ? cellTtl(cell) : DEFAULT_CACHE_TTL_SECONDS;
  }

  /** The browser's DuckDB, started on first use and shared by the page's cells. */
  kernel(): Promise<CellKernel> {
    return getKernel();
  }

  get awareness() {
    return this.provider.awareness;
  }

  destroy(): void {
    this.#stopFiles();
    this.runner.dispose();
    this.sandboxes.dispose();
    this.presence.destroy();
    this.state.destroy();
    this.connection.destroy();
    this.undo.destroy();
    this.provider.destroy();
    this.doc.destroy();
  }
}

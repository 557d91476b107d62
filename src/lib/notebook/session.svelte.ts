/**
 * An open notebook: its Yjs document, the websocket provider, and the rune states the page
 * renders from. Created when the notebook page mounts, destroyed when it unmounts.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { ApiError, notebooks, provenance, type NotebookAccess, type User } from '$lib/api';
import { userColor } from '$lib/user-color';
import { CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, Connection } from './connection.svelte';
import { NotebookState } from './notebook-state.svelte';
import { Presence, type AwarenessUser } from './presence.svelte';
import { Toasts } from './toast.svelte';
import { createStructuralUndo } from './undo';
import { NotebookRunner } from './run/runner.svelte';
import { createExecutor, type CellKernel } from './run/executor';
import { Sandboxes } from './run/sandboxes';
import { ResultTables } from './run/result-tables';
import { getKernel, setNotebookFiles, sqlParser, warmEngine } from '$lib/kernel';
import { KnownTables } from './run/known-tables';
import { fetchLastResults, type LastResult } from './run/last-results';
import { listLastResults } from './run/result-list';
import { paintedOutput } from './run/painted-output';
import { DEFAULT_CACHE_TTL_SECONDS, FILES, cellTtl, cellsOf } from '$doc';
import { WarehouseApi, type ConnectionKind, type ConnectionView } from '$lib/warehouse';
import { createServerCellRunner, type ServerConnection } from './run/server-cells';
import { createRunRecorder } from './run/provenance';
import { ConnectionNames } from './connection-names.svelte';

/** The websocket endpoint of the collaboration server, on this page's origin. */
export function collabUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab`;
}

/** Origin of run requests: not the structural undo's origin, so Ctrl-Z never "un-runs". */
const RUN_ORIGIN = Symbol('cairn-run');

/** Reconnecting after "forbidden" more often than this in a minute means something keeps writing: stop. */
const MAX_FORBIDDEN_RECONNECTS = 3;

/** What the page knows of the user's rights on the notebook when it opens it. */
export interface NotebookRights {
  access: NotebookAccess;
  canShare: boolean;
  /** The notebook's workspace, where its connections and members are listed (else the user's current one). */
  workspaceId?: string;
}

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
  readonly #api: WarehouseApi;
  /** The notebook's workspace, when the server said (it may not be the user's current one). */
  readonly workspaceId: string | undefined;
  #connections: Promise<Map<string, ConnectionView>> | null = null;
  /** The names of the connections the cells run on, for those this user may not list. */
  readonly connectionNames: ConnectionNames;
  /** The user's access: `view` makes every editor read-only and runs local (see {@link readOnly}). */
  access = $state<NotebookAccess>('edit');
  /** Whether the user may change who the notebook is shared with. */
  canShare = $state(false);
  /** True while the user may only read: nothing on the page writes the document. */
  readonly readOnly = $derived(this.access === 'view');
  #forbiddenAt: number[] = [];
  /** The server parser's answers for the notebook's SQL first, this page's DuckDB parser for the rest. */
  readonly #parser = new KnownTables(sqlParser);
  /** Stops fetching last results when the page closes. */
  readonly #closing = new AbortController();
  /** When each painted server cell's result was computed (its TTL says when it is stale). */
  readonly #paintedAt = new Map<string, Date>();

  constructor(id: string, user: User, rights: NotebookRights = { access: 'edit', canShare: false }) {
    this.id = id;
    this.workspaceId = rights.workspaceId;
    this.#api = new WarehouseApi({ workspaceId: rights.workspaceId });
    this.connectionNames = new ConnectionNames(() => notebooks.get(id));
    this.access = rights.access;
    this.canShare = rights.canShare;
    this.provider = new WebsocketProvider(collabUrl(), id, this.doc);
    const me: AwarenessUser = { id: user.id, name: user.name || user.email, ...userColor(user.id) };
    this.provider.awareness.setLocalStateField('user', me);
    this.connection = new Connection(this.provider);
    this.provider.on('closed', this.#onClosed);
    this.state = new NotebookState(this.doc);
    this.presence = new Presence(this.provider.awareness);
    this.undo = createStructuralUndo(this.doc);
    this.sandboxes = new Sandboxes((cellId) => void this.runner.runtime.run([cellId], { force: true }));
    this.runner = new NotebookRunner(this.doc, {
      me: me.name,
      origin: RUN_ORIGIN,
      localOnly: () => this.readOnly,
      parser: this.#parser,
      onRun: createRunRecorder({ record: (run) => provenance.record(id, run), mayRecord: () => !this.readOnly }),
      createExecutor: (publish) =>
        createExecutor({
          kernel: () => this.kernel(),
          results: this.results,
          sandbox: (id) => this.sandboxes.get(id),
          publish,
          graph: () => this.runner.runtime.graph,
          runServerCell: createServerCellRunner({
            api: this.#api,
            notebookId: id,
            graph: () => this.runner.runtime.graph,
            connection: (connectionId) => this.#connection(connectionId),
            runAsk: (cellId) => this.runner.runAsk(cellId),
            ttlSeconds: (cellId) => this.#ttlSeconds(cellId),
            publish,
            note: (cellId, note) => this.runner.setNote(cellId, note),
            cacheOnly: () => this.readOnly
          })
        })
    });
    // The engine loads files users added by the names the notebook's `files` map gives them.
    const files = this.doc.getMap(FILES);
    const syncFiles = () => setNotebookFiles(files.toJSON(), id);
    files.observe(syncFiles);
    syncFiles();
    this.#stopFiles = () => files.unobserve(syncFiles);
    // The last results are asked for at once, alongside the document.
    const lastResults = listLastResults(id);
    const synced = new Promise<void>((resolve) => {
      const onSync = (done: boolean) => {
        if (!done) return;
        this.provider.off('sync', onSync);
        resolve();
      };
      this.provider.on('sync', onSync);
    });
    void this.#open(lastResults, synced);
  }

  /**
   * Opening a notebook: paint every result the server has (its last ones, or computed on a
   * miss) as it arrives, build the graph from the server parser's answers, then compute what
   * was not painted, refresh server results older than their cell's TTL behind them, and
   * start this page's engine in the background for edits and runs.
   */
  async #open(listing: ReturnType<typeof listLastResults>, synced: Promise<void>): Promise<void> {
    const list = await listing;
    if (list) this.#parser.learn(list.tables);
    const paints: Promise<void>[] = [];
    const painting = list
      ? fetchLastResults(this.id, list.cells, (result) => paints.push(synced.then(() => this.#paint(result))), this.#closing.signal)
      : Promise.resolve();
    await synced;
    await this.runner.start();
    await painting;
    await Promise.all(paints);
    if (this.#closing.signal.aborted) return;
    const stale = this.#stalePainted();
    void this.runner.runLocally();
    if (stale.length) void this.runner.refreshBehind(stale);
    warmEngine();
  }

  /** Painted results of server cells older than their cell's TTL. */
  #stalePainted(): string[] {
    const out: string[] = [];
    for (const [id, at] of this.#paintedAt) if (Date.now() - at.getTime() > this.#ttlSeconds(id) * 1000) out.push(id);
    return out;
  }

  #paint(result: LastResult): void {
    const cell = cellsOf(this.doc).get(result.cell.cellId);
    const output = cell && paintedOutput(result, cell);
    if (!output) return;
    this.runner.paint(result.cell.cellId, result.key, result.table, output);
    if (output.kind === 'sql' && output.server) this.#paintedAt.set(result.cell.cellId, result.resultAt);
  }

  /**
   * The server refused something this user's role does not allow (or lowered them to
   * viewer while connected): learn the access again and reconnect, read-only if so.
   */
  #onClosed = (event: { code: number }) => {
    if (event.code !== CLOSE_FORBIDDEN) return;
    const now = Date.now();
    this.#forbiddenAt = [...this.#forbiddenAt.filter((t) => now - t < 60_000), now];
    if (this.#forbiddenAt.length > MAX_FORBIDDEN_RECONNECTS) return;
    void this.refreshAccess().then(
      () => this.provider.connect(),
      (e: unknown) => {
        // No access at all any more: the same as the server closing with "not found".
        if (e instanceof ApiError && e.status === 404) this.connection.closedCode = CLOSE_NOT_FOUND;
        else console.warn('Could not read the notebook access again', e);
      }
    );
  };

  /** Read the user's access to the notebook again (it can change while the page is open). */
  async refreshAccess(): Promise<void> {
    const info = await notebooks.get(this.id);
    this.access = info.access ?? 'edit';
    this.canShare = info.canShare ?? false;
    this.connectionNames.learn(info);
  }

  /**
   * What a server cell needs of its connection, from the list of those this user may use,
   * read once (and again for an id not in it: one added since); else from the notebook's
   * names, for one they may not use; null when the workspace has no such connection.
   */
  async #connection(connectionId: string): Promise<ServerConnection | null> {
    const load = () => this.#api.listConnections().then((list) => new Map(list.map((c) => [c.id, c])));
    this.#connections ??= load();
    let known = await this.#connections.catch(() => null);
    if (!known?.has(connectionId)) known = await (this.#connections = load());
    const c = known.get(connectionId);
    // A server DuckDB without a database file is the in-memory one with the bundled samples.
    if (c) return { name: c.name, kind: c.kind, hasSamples: c.kind === 'duckdb' && !c.config.path, usable: true };
    await this.connectionNames.lookup(connectionId);
    const named = this.connectionNames.get(connectionId);
    return named ? { name: named.name, kind: named.kind, hasSamples: named.hasSamples, usable: false } : null;
  }

  /** A server cell's cache TTL: its `ttl` field (seconds), else the default. */
  #ttlSeconds(cellId: string): number {
    const cell = cellsOf(this.doc).get(cellId);
    return cell ? cellTtl(cell) : DEFAULT_CACHE_TTL_SECONDS;
  }

  /** The connection and run calls, acting in the notebook's workspace. */
  get api(): WarehouseApi {
    return this.#api;
  }

  /** The browser's DuckDB, started on first use and shared by the page's cells. */
  kernel(): Promise<CellKernel> {
    return getKernel();
  }

  get awareness() {
    return this.provider.awareness;
  }

  destroy(): void {
    this.#closing.abort();
    this.provider.off('closed', this.#onClosed);
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

/**
 * Runs a notebook in this browser: keeps the cell graph in step with the document (edits
 * mark cells stale, nothing runs), runs what the shared `runs` map asks for, and exposes
 * each cell's state as runes for the page. The work itself is the injected executor's.
 */
import { errorMessage } from '$lib/api-client';
import * as Y from 'yjs';
import { CELLS, FILES, ORDER } from '$doc';
import { Runtime, buildGraph, type CellState, type Executor, type Graph, type Leaf, type SqlParser } from '$kernels/graph/index.js';
import { SAMPLES } from '$kernels/samples.js';
import { GraphCells } from './graph-cells';
import type { CellOutput } from './executor';
import { observeRuns, readRuns, requestRun, type RunRequest } from './shared-runs';
import type { FinishedRun } from './provenance';

/** What the page shows for one cell. */
export interface CellView {
  state: CellState;
  /** Who started the run the cell shows, and when (from the shared `runs` map). */
  run?: RunRequest;
  /** How long its last run took. */
  elapsedMs?: number;
  /** What a running cell is waiting for ("waiting for a free connection (2 ahead)"). */
  note?: string;
  /** A painted result stays on screen (and the cell `done`) while this page refreshes it. */
  refreshing?: boolean;
}

export interface RunnerOptions {
  parser: SqlParser;
  /** Builds the executor; `publish` shows a cell's output when its run succeeded. */
  createExecutor: (publish: (cellId: string, output: CellOutput) => void) => Executor;
  /** The name others see on runs this user starts. */
  me: string;
  /** Origin for this client's transactions (so structural undo ignores run requests). */
  origin?: unknown;
  /**
   * True while this user may only read the notebook: runs then happen on this page only and
   * never touch the shared `runs` map (the server would refuse the update).
   */
  localOnly?: () => boolean;
  /** Rebuild the graph this long after the last edit. */
  debounceMs?: number;
  /** Told of each run that succeeded and whose result is still current (its provenance); not awaited. */
  onRun?: (run: FinishedRun) => unknown;
}

export class NotebookRunner {
  #views = $state<Record<string, CellView>>({});
  // Raw: outputs hold Arrow tables and must not be deep-proxied.
  #outputs = $state.raw<Record<string, CellOutput>>({});
  #errors = $state<string | null>(null);
  // Raw: a graph is immutable and replaced whole on every rebuild.
  #graph = $state.raw<Graph>(buildGraph([]));
  /** When each cell's shown output was computed (ms since epoch), kept apart from the outputs so reading one cell's time does not depend on every output. */
  #resultAt = $state<Record<string, number>>({});
  /** Cells showing a result painted from the server, by the key it was computed under, until this page computes its own. */
  #painted = $state<Record<string, string>>({});
  /** The painted values (raw: Arrow tables), to tell the painted result from one computed here. */
  private readonly paintedValues = new Map<string, unknown>();
  readonly runtime: Runtime;
  private readonly graphCells: GraphCells;
  private readonly cleanups: (() => void)[] = [];
  private rebuildTimer: ReturnType<typeof setTimeout> | null = null;
  private rebuilding: Promise<void> = Promise.resolve();
  private generation = 0;
  private readonly timings = new Map<string, number>();
  private readonly notes = new Map<string, string>();
  private runs = new Map<string, RunRequest>();
  /** Run ids asked for while this page was open (the others were in the document when it opened). */
  private readonly liveRunIds = new Set<string>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly options: RunnerOptions
  ) {
    this.graphCells = new GraphCells(options.parser);
    const executor = options.createExecutor((id, output) => {
      this.#outputs = { ...this.#outputs, [id]: output };
      this.#resultAt[id] = output.kind === 'sql' && output.server ? output.server.resultAt.getTime() : Date.now();
    });
    const timed: Executor = async (cell, inputs, signal) => {
      const t0 = performance.now();
      const graph = this.runtime.graph;
      const key = graph.node(cell.id)?.key;
      try {
        const value = await executor(cell, inputs, signal);
        const output = this.#outputs[cell.id];
        // An edit since the run started changed its key: that result is dropped, not recorded.
        if (key && output && !signal.aborted && this.runtime.graph.node(cell.id)?.key === key) {
          void options.onRun?.({ cell, key, graph, output, durationMs: performance.now() - t0 });
        }
        return value;
      } finally {
        this.timings.set(cell.id, performance.now() - t0);
      }
    };
    this.runtime = new Runtime(buildGraph([]), timed);
  }

  /** Start following the document; resolves after the first graph is built. */
  async start(): Promise<void> {
    const schedule = () => this.scheduleRebuild();
    const cells = this.doc.getMap(CELLS);
    const order = this.doc.getArray(ORDER);
    const files = this.doc.getMap(FILES);
    cells.observeDeep(schedule);
    order.observe(schedule);
    files.observe(schedule);
    this.cleanups.push(() => cells.unobserveDeep(schedule), () => order.unobserve(schedule), () => files.unobserve(schedule));
    this.cleanups.push(this.runtime.subscribe((ids) => this.refresh(ids)));
    this.cleanups.push(
      observeRuns(this.doc, (ids, requests) => {
        for (const [id, r] of requests) {
          this.runs.set(id, r);
          this.liveRunIds.add(r.runId);
        }
        // The request may name a cell this copy has received but not analysed yet (the rebuild
        // is debounced): rebuild now, then plan on the graph that has it.
        void this.graphNow().then(() => this.runtime.run(this.runtime.graph.plan(ids, this.runtime.resultKey), { force: ids.filter((id) => requests.get(id)?.refresh) }));
      })
    );
    this.runs = readRuns(this.doc);
    await this.rebuild();
  }

  /** Run one cell (and what depends on it) in every open copy of the notebook; here only for a reader. */
  run(id: string): void {
    if (this.options.localOnly?.()) {
      void this.graphNow().then(() => this.runtime.run(this.runtime.graph.plan([id], this.runtime.resultKey), { force: [id] }));
      return;
    }
    requestRun(this.doc, [id], this.options.me, this.options.origin, true);
  }

  /** Run every cell that is not up to date, in every open copy; here only for a reader. */
  runAll(): void {
    if (this.options.localOnly?.()) {
      void this.graphNow().then(() => this.runLocally());
      return;
    }
    void this.graphNow().then(() => requestRun(this.doc, this.runtime.graph.order, this.options.me, this.options.origin, false));
  }

  /** Stop cell `id`'s run in this browser; it shows "Run cancelled". */
  cancel(id: string): void {
    this.runtime.cancel(id);
  }

  /** Run what is not up to date here only (opening a notebook computes its results). */
  runLocally(): Promise<void> {
    return this.runtime.runAll();
  }

  /** Says what running cell `id` waits for; null clears it. */
  setNote(id: string, note: string | null): void {
    if (note === null) this.notes.delete(id);
    else this.notes.set(id, note);
    this.refresh([id]);
  }

  /** How cell `id`'s current run was asked for (server cells share it with every copy under its id). */
  runAsk(id: string): { token: string; live: boolean; refresh: boolean; at: string } | undefined {
    const request = this.runs.get(id);
    if (!request) return undefined;
    return { token: request.runId, live: this.liveRunIds.has(request.runId), refresh: request.refresh === true, at: request.at };
  }

  /**
   * Show `value` (with `output`), computed by the server under `key`, as cell `id`'s result
   * before this page has computed anything: the runtime adopts it, so a run keeps it while
   * the cell's key stays `key`. Ignored when the cell already has a result here.
   */
  paint(id: string, key: string, value: unknown, output: CellOutput): void {
    if (!this.runtime.adopt(id, key, value)) return;
    this.paintedValues.set(id, value);
    this.#painted[id] = key;
    this.#outputs = { ...this.#outputs, [id]: output };
    // Its age is the server's, not the moment it arrived here.
    const at = 'painted' in output ? output.painted?.resultAt : undefined;
    if (at) this.#resultAt[id] = at.getTime();
  }

  /** Recompute painted cells `ids` behind their results: they stay on screen, `done`, until the new ones replace them. */
  refreshBehind(ids: readonly string[]): Promise<void> {
    return this.runtime.run(ids, { force: ids });
  }

  /** The state of cell `id` for the page ('idle' when it does not compute). */
  view(id: string): CellView | undefined {
    const view = this.#views[id];
    const painted = this.#painted[id];
    if (painted === undefined) return view;
    // Painted before the graph was built: done, with the server's result.
    if (!view) return { state: { status: 'done', key: painted, resultKey: painted, version: 0 } };
    const status = view.state.status;
    if ((status === 'running' || status === 'queued') && view.state.key === painted) return { ...view, state: { ...view.state, status: 'done' }, refreshing: true };
    return view;
  }

  /** The output of cell `id`'s last successful run. */
  output(id: string): CellOutput | undefined {
    return this.#outputs[id];
  }

  /** The cell graph the page runs by, as of the last rebuild (reactive: a rebuild replaces it). */
  get graph(): Graph {
    return this.#graph;
  }

  /** When cell `id`'s shown result was computed: the warehouse's time for a server result, else when it arrived here. */
  resultAt(id: string): Date | undefined {
    const at = this.#resultAt[id];
    return at === undefined ? undefined : new Date(at);
  }

  /** A failure of the runner itself (not of a cell), shown once at the top of the page. */
  get error(): string | null {
    return this.#errors;
  }

  /** The graph as of the document now: a pending debounced rebuild runs at once. */
  private graphNow(): Promise<void> {
    if (!this.rebuildTimer) return this.rebuilding;
    clearTimeout(this.rebuildTimer);
    this.rebuildTimer = null;
    return this.rebuild();
  }

  private scheduleRebuild(): void {
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = null;
      void this.rebuild();
    }, this.options.debounceMs ?? 120);
  }

  private rebuild(): Promise<void> {
    const generation = ++this.generation;
    this.rebuilding = this.rebuilding.then(async () => {
      try {
        const cells = await this.graphCells.read(this.doc);
        // A newer edit arrived while parsing: its rebuild supersedes this one.
        if (generation !== this.generation) return;
        this.runtime.setGraph(buildGraph(cells, this.leaves()));
        this.#graph = this.runtime.graph;
        this.refresh(this.runtime.graph.order);
        this.#errors = null;
      } catch (err) {
        this.#errors = `Could not analyse the notebook: ${errorMessage(err)}`;
      }
    });
    return this.rebuilding;
  }

  /** Samples and uploaded files: the names cells may read that are not cells. */
  private leaves(): Leaf[] {
    const leaves: Leaf[] = SAMPLES.map((s) => ({ name: s.name, kind: 'sample', key: `sample:${s.file}` }));
    for (const [name, file] of this.doc.getMap<{ hash?: string }>(FILES).entries()) {
      if (file && typeof file.hash === 'string') leaves.push({ name, kind: 'file', key: `file:${file.hash}` });
    }
    return leaves;
  }

  private refresh(ids: readonly string[]): void {
    for (const id of ids) {
      const state = this.runtime.state(id);
      if (!state) {
        delete this.#views[id];
        continue;
      }
      this.#views[id] = { state, run: this.runs.get(id), elapsedMs: this.timings.get(id), note: state.status === 'running' ? this.notes.get(id) : undefined };
      // A run of its own settled: the cell shows what this page computed from now on.
      const settled = state.status === 'error' || state.status === 'blocked' || (state.status === 'done' && state.value !== this.paintedValues.get(id));
      if (id in this.#painted && settled) {
        delete this.#painted[id];
        this.paintedValues.delete(id);
      }
    }
  }

  dispose(): void {
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    for (const c of this.cleanups.splice(0)) c();
    this.runtime.dispose();
  }
}

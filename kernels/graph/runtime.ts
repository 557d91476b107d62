/**
 * The scheduler, after the Observable runtime: runs cells through an injected executor in
 * topological order (independent branches concurrently), reuses a result whose key is
 * unchanged, and keeps every cell's status for the UI. Two rules keep async results honest:
 * each cell has a version counter, and a computation whose version is no longer current
 * (a newer run of the cell started, or an edit changed its key) is dropped when it
 * settles; and starting the newer computation aborts the older one's AbortSignal.
 * Errors are values: a failing cell gets `error`, its dependents `blocked`, and the rest
 * of the notebook runs.
 */
import { cellError, type CellError } from './cell-error.js';
import type { Graph, GraphCell, GraphNode } from './graph.js';
import { errorMessage } from '../error-message.js';

/** A cell's status as `data-status` shows it (README.md, "Pages and hooks"). */
export type CellStatus = 'idle' | 'queued' | 'running' | 'done' | 'error' | 'stale' | 'blocked';

/** A cell's state as the UI renders it. */
export interface CellState {
  status: CellStatus;
  /** The value of its last successful run (kept while stale, so the old output can stay on screen). */
  value?: unknown;
  error?: CellError;
  /** For `blocked`: the id of the failed cell upstream. */
  blockedBy?: string;
  /** The cell's current cache key (null when it cannot run). */
  key: string | null;
  /** The key `value` was computed under; equal to `key` exactly when the value is current. */
  resultKey?: string;
  /** Bumped whenever a computation of the cell starts or is invalidated. */
  version: number;
}

/** Runs one cell: `inputs` maps each cell name it reads to that cell's value. Should stop when `signal` aborts. */
export type Executor = (cell: GraphCell, inputs: Map<string, unknown>, signal: AbortSignal) => Promise<unknown>;

/** Called after changes, with the ids whose state changed, once per batch. */
export type Listener = (ids: readonly string[]) => void;

/** Options for {@link Runtime}. */
export interface RuntimeOptions {
  /** Where a throwing listener's error goes (default `console.error`): logged, never swallowed, never fatal. */
  onListenerError?: (error: unknown) => void;
}

type Outcome =
  | { status: 'done'; value: unknown }
  | { status: 'error'; error: CellError }
  | { status: 'blocked'; blockedBy: string }
  // Invalidated by an edit with no newer run to wait for.
  | { status: 'stale' };

interface Task {
  key: string;
  version: number;
  phase: 'queued' | 'running';
  controller: AbortController;
  promise: Promise<Outcome>;
}

interface Cell {
  version: number;
  /** The last settled computation; its value/error shows while `key` matches the graph's. */
  result?: { key: string; outcome: Exclude<Outcome, { status: 'stale' }> };
  task?: Task;
}

/** The error a run the user stopped ends with (shown on the cell). */
function cancelled(): Error {
  const error = new Error('Run cancelled');
  error.name = 'AbortError';
  return error;
}

/** The error a superseded computation's signal aborts with. */
function superseded(): Error {
  const error = new Error('superseded by a newer run');
  error.name = 'AbortError';
  return error;
}

/** A notebook's cell scheduler over a {@link Graph}; see the module comment. */
export class Runtime {
  private currentGraph: Graph;
  private readonly cells = new Map<string, Cell>();
  private readonly listeners = new Set<Listener>();
  private readonly pending = new Set<string>();
  private flushScheduled = false;

  constructor(
    graph: Graph,
    private readonly executor: Executor,
    private readonly options: RuntimeOptions = {}
  ) {
    this.currentGraph = graph;
  }

  /** The graph the runtime currently schedules by. */
  get graph(): Graph {
    return this.currentGraph;
  }

  /**
   * Adopt a rebuilt graph (after an edit). Nothing runs: cells whose key changed become
   * stale (their old value stays visible), and their in-flight computations are aborted
   * and will be dropped.
   */
  setGraph(graph: Graph): void {
    const before = this.snapshotAll();
    this.currentGraph = graph;
    for (const [id, cell] of this.cells) {
      const node = graph.node(id);
      if (!node) {
        cell.task?.controller.abort(superseded());
        this.cells.delete(id);
      } else if (cell.task && cell.task.key !== node.key) {
        cell.task.controller.abort(superseded());
        cell.task = undefined;
        cell.version++;
      }
    }
    const after = this.snapshotAll();
    for (const id of new Set([...before.keys(), ...after.keys()])) {
      if (!sameState(before.get(id), after.get(id))) this.changed(id);
    }
  }

  /** The state of cell `id`, or undefined when the graph has no such cell. */
  state(id: string): CellState | undefined {
    const node = this.currentGraph.node(id);
    return node && this.stateOf(node);
  }

  /** The key of the value cell `id` holds from a successful run: what {@link Graph.plan} compares against. */
  readonly resultKey = (id: string): string | undefined => {
    const result = this.cells.get(id)?.result;
    return result?.outcome.status === 'done' ? result.key : undefined;
  };

  /**
   * Take `value` as cell `id`'s result under `key`, computed elsewhere (the server's last
   * result, painted before this page's engine started). A run then reuses it while the
   * cell's key stays `key`, like any result of its own. Ignored once the cell has a result
   * or a computation here: this page's own runs always win.
   */
  adopt(id: string, key: string, value: unknown): boolean {
    const cell = this.cell(id);
    if (cell.result || cell.task) return false;
    cell.result = { key, outcome: { status: 'done', value } };
    this.changed(id);
    return true;
  }

  /** Call `listener` after each batch of state changes; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** "Run cell X": X, its dependents that are not up to date, and the inputs they need (with `refresh`, every dependent, recomputed). */
  runCell(id: string, options: { refresh?: boolean } = {}): Promise<void> {
    const ids = this.currentGraph.plan(id, this.resultKey, options);
    return this.run(ids, { force: options.refresh ? [id, ...this.currentGraph.downstream(id)] : [] });
  }

  /** "Run all": every cell that is not up to date (every cell with `refresh`). */
  runAll(options: { refresh?: boolean } = {}): Promise<void> {
    return this.run(this.currentGraph.planAll(this.resultKey, options), { force: options.refresh === true });
  }

  /**
   * Run `ids` and the inputs they need that are not up to date, in topological order.
   * A cell whose current value has its key is reused unless forced (`force: true` for all
   * of `ids`, or a list); a cell already computing under the same key is joined, not
   * restarted. Resolves when every cell of this run has settled; never rejects.
   */
  async run(ids: Iterable<string>, options: { force?: boolean | Iterable<string> } = {}): Promise<void> {
    const graph = this.currentGraph;
    const requested = [...ids];
    const force = options.force === true ? new Set(requested) : new Set(options.force || []);
    const local = new Map<string, Promise<Outcome>>();
    for (const id of graph.withInputs(requested, this.resultKey)) {
      local.set(id, this.start(graph.node(id)!, force.has(id), local));
    }
    await Promise.all(local.values());
  }

  /**
   * Stop cell `id`'s queued or running computation: it ends as an error ("Run cancelled")
   * and its dependents in the same run are blocked. Returns false when nothing was running.
   */
  cancel(id: string): boolean {
    const task = this.cells.get(id)?.task;
    if (!task) return false;
    task.controller.abort(cancelled());
    return true;
  }

  /** Abort every computation and forget every listener. */
  dispose(): void {
    for (const cell of this.cells.values()) {
      cell.task?.controller.abort(superseded());
      cell.task = undefined;
      cell.version++;
    }
    this.listeners.clear();
  }

  private cell(id: string): Cell {
    let cell = this.cells.get(id);
    if (!cell) this.cells.set(id, (cell = { version: 0 }));
    return cell;
  }

  /** Begin (or join, or reuse) the computation of `node` for a run; resolves to its outcome. */
  private start(node: GraphNode, force: boolean, local: Map<string, Promise<Outcome>>): Promise<Outcome> {
    const id = node.cell.id;
    // Errors the graph found are shown from the graph itself; there is nothing to run.
    if (node.error) return Promise.resolve({ status: 'error', error: node.error });
    if (node.blockedBy) return Promise.resolve({ status: 'blocked', blockedBy: node.blockedBy });
    // An empty cell has nothing to run: it stays idle, and what reads it waits for it.
    if (node.cell.empty) return Promise.resolve({ status: 'blocked', blockedBy: id });
    const key = node.key!;
    const cell = this.cell(id);
    if (!force && cell.result?.key === key && cell.result.outcome.status === 'done') return Promise.resolve(cell.result.outcome);
    if (!force && cell.task?.key === key) return cell.task.promise;

    cell.task?.controller.abort(superseded());
    const task: Task = { key, version: ++cell.version, phase: 'queued', controller: new AbortController(), promise: null! };
    cell.task = task;
    task.promise = this.compute(node, cell, task, local);
    this.changed(id);
    return task.promise;
  }

  private async compute(node: GraphNode, cell: Cell, task: Task, local: Map<string, Promise<Outcome>>): Promise<Outcome> {
    const id = node.cell.id;
    const current = () => cell.version === task.version;
    const inputs = new Map<string, unknown>();
    for (const input of node.inputs) {
      if (input.kind !== 'cell') continue; // files, samples, engine tables: the executor's engine resolves them
      const outcome = await this.outcomeOf(input.id, local);
      if (!current()) return this.follow(cell);
      if (outcome.status === 'done') inputs.set(input.name, outcome.value);
      else if (outcome.status === 'stale') return this.settle(id, cell, task, { status: 'stale' });
      else {
        const blockedBy = outcome.status === 'error' ? input.id : outcome.blockedBy;
        return this.settle(id, cell, task, { status: 'blocked', blockedBy });
      }
    }

    task.phase = 'running';
    this.changed(id);
    let outcome: Outcome;
    try {
      const value = await untilAborted(this.executor(node.cell, inputs, task.controller.signal), task.controller.signal);
      outcome = { status: 'done', value };
    } catch (e) {
      if (!current()) return this.follow(cell);
      const message = errorMessage(e);
      // Engines and the sandbox say where in the source they failed (QueryError.position).
      const at = (e as { position?: unknown } | null)?.position;
      outcome = { status: 'error', error: cellError(id, 'runtime', message, typeof at === 'number' ? at : null, e) };
    }
    if (!current()) return this.follow(cell);
    return this.settle(id, cell, task, outcome);
  }

  /** The outcome of input `id` for a reader: this run's computation, a joined one, or its current value. */
  private outcomeOf(id: string, local: Map<string, Promise<Outcome>>): Promise<Outcome> {
    const planned = local.get(id);
    if (planned) return planned;
    const cell = this.cells.get(id);
    const node = this.currentGraph.node(id);
    if (cell?.task && cell.task.key === node?.key) return cell.task.promise;
    if (node && cell?.result?.key === node.key && cell.result.outcome.status === 'done') return Promise.resolve(cell.result.outcome);
    return Promise.resolve({ status: 'stale' });
  }

  /** A superseded computation hands its readers the newer one's outcome (or stale, when an edit left none). */
  private follow(cell: Cell): Promise<Outcome> {
    return cell.task ? cell.task.promise : Promise.resolve({ status: 'stale' });
  }

  private settle(id: string, cell: Cell, task: Task, outcome: Outcome): Outcome {
    if (cell.task === task) cell.task = undefined;
    if (outcome.status !== 'stale') cell.result = { key: task.key, outcome };
    this.changed(id);
    return outcome;
  }

  private stateOf(node: GraphNode): CellState {
    const id = node.cell.id;
    const cell = this.cells.get(id);
    const state: CellState = { status: 'idle', key: node.key, version: cell?.version ?? 0 };
    const result = cell?.result;
    if (result?.outcome.status === 'done') {
      state.value = result.outcome.value;
      state.resultKey = result.key;
    }
    if (node.error) return { ...state, status: 'error', error: node.error };
    if (node.blockedBy) return { ...state, status: 'blocked', blockedBy: node.blockedBy };
    if (node.cell.empty) return { status: 'idle', key: node.key, version: state.version };
    if (cell?.task) return { ...state, status: cell.task.phase };
    if (!result) return state;
    if (result.key !== node.key) return { ...state, status: 'stale' };
    const outcome = result.outcome;
    if (outcome.status === 'error') return { ...state, status: 'error', error: outcome.error };
    if (outcome.status === 'blocked') return { ...state, status: 'blocked', blockedBy: outcome.blockedBy };
    return { ...state, status: 'done' };
  }

  private snapshotAll(): Map<string, CellState> {
    return new Map(this.currentGraph.nodesInOrder().map((n) => [n.cell.id, this.stateOf(n)]));
  }

  /** Note a change; listeners hear about it once, after the current synchronous work. */
  private changed(id: string): void {
    this.pending.add(id);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      const ids = [...this.pending];
      this.pending.clear();
      for (const listener of [...this.listeners]) {
        try {
          listener(ids);
        } catch (e) {
          // One broken view must not stop the others or the runtime, and must not vanish.
          (this.options.onListenerError ?? console.error)(e);
        }
      }
    });
  }
}

function sameState(a: CellState | undefined, b: CellState | undefined): boolean {
  if (!a || !b) return a === b;
  return a.status === b.status && a.key === b.key && a.error === b.error && a.blockedBy === b.blockedBy && a.value === b.value && a.version === b.version;
}

/** `promise`, or a rejection as soon as `signal` aborts: an executor that ignores its signal cannot hold a superseded run open. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      }
    );
  });
}

/**
 * The host side of a JS cell sandbox: an iframe with `sandbox="allow-scripts"` and no
 * `allow-same-origin`, so its origin is opaque and the author's code never sees the app's
 * cookies, storage or authenticated API. One sandbox shows one cell's output.
 */
import { errorMessage } from '../api-client.js';
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { loadSandboxRuntime } from './runtime-source.js';
import { chooseThread } from './thread.js';
import { SANDBOX_PATH } from './document.js';
import {
  isSandboxMessage,
  type FromSandbox,
  type SandboxConsoleEntry,
  type SandboxErrorInfo,
  type SandboxThread,
  type SandboxValue,
  type ToSandbox,
  type WireInput
} from './protocol.js';

/** How long a run may take by default before the sandbox is torn down. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** How long a cancel waits for the sandbox to answer before deciding its thread is stuck. */
const CANCEL_GRACE_MS = 400;

/** Options of {@link Sandbox.run}. */
export interface SandboxRunOptions {
  /** Aborting cancels the run (and tears the sandbox down if the code does not yield). */
  signal?: AbortSignal;
  /** After this long the run fails with a `timeout` error; default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Where the code runs; by default chosen from the body ({@link chooseThread}). */
  thread?: SandboxThread;
  /** The cell's source, to map error columns on the first line past hoisted imports. */
  source?: string;
  /** Each `console.*` call of the run, as it happens. */
  onConsole?: (entry: SandboxConsoleEntry) => void;
}

/** A finished run: the value, and whether the sandbox iframe shows it (a DOM node). */
export interface SandboxResult {
  value: SandboxValue;
  display: boolean;
}

/** Why a run failed: the cell threw (`error`), overran, was cancelled, or the sandbox broke. */
export type SandboxErrorKind = 'error' | 'timeout' | 'cancelled' | 'crashed';

/** A failed run, with the error's position in the cell's source when known. */
export class SandboxError extends Error {
  constructor(
    readonly kind: SandboxErrorKind,
    readonly cellId: string,
    message: string,
    readonly info: Partial<SandboxErrorInfo> = {}
  ) {
    super(message);
    this.name = kind === 'error' ? (info.name ?? 'Error') : 'SandboxError';
  }
  /** 1-based line in the cell's source. */
  get line(): number | undefined {
    return this.info.line;
  }
  /** 1-based column in the cell's source. */
  get column(): number | undefined {
    return this.info.column;
  }
}

/** One cell's sandbox. */
export interface Sandbox {
  /** The iframe now in use (replaced after a teardown). */
  readonly iframe: HTMLIFrameElement;
  /** Resolves when the sandbox can run code (runs wait for it anyway). */
  ready(): Promise<void>;
  /** Run a cell body from `jsCellBody(source, {importer: SANDBOX_IMPORTER})`; one run at a time, a new one cancels the last. */
  run(cellId: string, body: string, inputs: Map<string, unknown>, options?: SandboxRunOptions): Promise<SandboxResult>;
  /** Remove the iframe and stop everything in it. */
  dispose(): void;
}

/** Options of {@link createSandbox}. */
export interface SandboxOptions {
  /**
   * Called when this sandbox was torn down because another one got stuck on its page thread
   * (sandboxes share a renderer process): its output is gone, so re-run the cell.
   */
  onReset?: () => void;
}

/** Every live sandbox, so a stuck one can take the others down and back up with it. */
const live = new Set<HostSandbox>();

/** Create a sandbox whose iframe is appended to `container`. */
export function createSandbox(container: HTMLElement, options: SandboxOptions = {}): Sandbox {
  return new HostSandbox(container, options);
}

/** Turn a table value from a sandbox back into an apache-arrow Table (other values as they are). */
export function sandboxValueToJs(value: SandboxValue): unknown {
  if (value.kind === 'table') return tableFromIPC(value.ipc);
  if (value.kind === 'json') return value.value;
  return undefined;
}

interface PendingRun {
  runId: number;
  cellId: string;
  thread: SandboxThread;
  onConsole?: (entry: SandboxConsoleEntry) => void;
  resolve(result: SandboxResult): void;
  reject(error: SandboxError): void;
  cleanup(): void;
  cancelAck?: () => void;
}

let nextRunId = 1;

class HostSandbox implements Sandbox {
  iframe!: HTMLIFrameElement;
  #container: HTMLElement;
  #options: SandboxOptions;
  #ready!: Promise<void>;
  #readyResolve!: () => void;
  #readyReject!: (e: Error) => void;
  #pending: PendingRun | null = null;
  #disposed = false;
  #themeObserver: MutationObserver;
  #onMessage = (event: MessageEvent) => this.#receive(event);

  constructor(container: HTMLElement, options: SandboxOptions) {
    this.#container = container;
    this.#options = options;
    live.add(this);
    window.addEventListener('message', this.#onMessage);
    // Follow the app's light/dark theme so text inside (Plot's axes use currentColor) matches.
    this.#themeObserver = new MutationObserver(() => this.#sendStyle());
    this.#themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'style', 'class'] });
    this.#build();
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  #build(): void {
    this.#ready = new Promise((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    this.#ready.catch(() => undefined);
    const iframe = document.createElement('iframe');
    iframe.setAttribute('sandbox', 'allow-scripts');
    iframe.setAttribute('title', 'JavaScript cell output');
    iframe.className = 'cairn-sandbox';
    iframe.style.cssText = 'display:block;width:100%;height:0;border:0;background:transparent;color-scheme:normal';
    iframe.src = SANDBOX_PATH;
    this.iframe?.remove();
    this.iframe = iframe;
    this.#container.appendChild(iframe);
  }

  /** Tear the iframe down and build a fresh one; the process is freed once no sandbox holds it. */
  rebuild(): void {
    if (this.#disposed) return;
    this.#readyReject(new Error('sandbox rebuilt'));
    this.#build();
  }

  #post(message: ToSandbox, transfer: Transferable[] = []): void {
    this.iframe.contentWindow?.postMessage(message, '*', transfer);
  }

  #sendStyle(): void {
    const css = getComputedStyle(document.documentElement);
    const dark = document.documentElement.dataset.theme === 'dark';
    this.#post({
      cairn: 1,
      type: 'style',
      style: {
        color: css.getPropertyValue('--text').trim() || (dark ? '#e6e6e3' : '#1f2328'),
        // Not color-scheme: an iframe whose scheme differs from its element's gets an opaque backdrop.
        'font-family': css.getPropertyValue('--font-sans').trim() || 'system-ui, sans-serif'
      }
    });
  }

  #receive(event: MessageEvent): void {
    // Only this iframe's window speaks for it; any other window's message is not ours.
    if (event.source !== this.iframe.contentWindow || !isSandboxMessage(event.data)) return;
    const message = event.data as FromSandbox;
    switch (message.type) {
      case 'boot':
        loadSandboxRuntime().then(
          (source) => this.#post({ cairn: 1, type: 'runtime', source }),
          (e: Error) => this.#readyReject(e)
        );
        break;
      case 'ready':
        this.#sendStyle();
        this.#readyResolve();
        break;
      case 'height':
        if (this.iframe.dataset.display === 'true') this.iframe.style.height = `${message.height}px`;
        this.iframe.dataset.contentHeight = String(message.height);
        break;
      case 'console':
        if (this.#pending?.runId === message.runId) this.#pending.onConsole?.(message.entry);
        break;
      case 'cancelled':
        if (this.#pending?.runId === message.runId) this.#pending.cancelAck?.();
        break;
      case 'result': {
        const run = this.#pending;
        if (run?.runId !== message.runId) return;
        this.#show(message.display);
        this.#finish(run);
        run.resolve({ value: message.value, display: message.display });
        break;
      }
      case 'error': {
        const run = this.#pending;
        if (run?.runId !== message.runId) return;
        this.#show(false);
        this.#finish(run);
        run.reject(new SandboxError('error', run.cellId, message.error.message, message.error));
        break;
      }
    }
  }

  #show(display: boolean): void {
    this.iframe.dataset.display = String(display);
    this.iframe.style.height = display ? `${this.iframe.dataset.contentHeight ?? 0}px` : '0';
  }

  #finish(run: PendingRun): void {
    run.cleanup();
    if (this.#pending === run) this.#pending = null;
  }

  async run(cellId: string, body: string, inputs: Map<string, unknown>, options: SandboxRunOptions = {}): Promise<SandboxResult> {
    if (this.#disposed) throw new SandboxError('crashed', cellId, 'The sandbox was disposed.');
    if (this.#pending) await this.#stop(this.#pending, 'cancelled', 'Replaced by a newer run.');
    const { signal, timeoutMs = DEFAULT_TIMEOUT_MS, onConsole } = options;
    if (signal?.aborted) throw new SandboxError('cancelled', cellId, 'Cancelled.');
    const thread = options.thread ?? chooseThread(body);
    const wire: WireInput[] = [];
    const transfer: Transferable[] = [];
    for (const [name, value] of inputs) {
      if (isArrowTable(value)) {
        let ipc: Uint8Array;
        try {
          ipc = tableToIPC(value as Table, 'stream');
        } catch (e) {
          throw new SandboxError('error', cellId, `Input ${name}: this table cannot be serialized as Arrow IPC (${String(e)}).`);
        }
        wire.push({ name, kind: 'table', ipc });
        transfer.push(ipc.buffer as ArrayBuffer);
      } else {
        wire.push({ name, kind: 'value', value });
      }
    }
    await this.#ready;

    const runId = nextRunId++;
    return new Promise<SandboxResult>((resolve, reject) => {
      const timer = setTimeout(() => void this.#stop(run, 'timeout', `Still running after ${Math.round(timeoutMs / 100) / 10} s: stopped, and the sandbox was restarted.`), timeoutMs);
      const onAbort = () => void this.#stop(run, 'cancelled', 'Cancelled.');
      signal?.addEventListener('abort', onAbort, { once: true });
      const run: PendingRun = {
        runId,
        cellId,
        thread,
        onConsole,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        }
      };
      this.#pending = run;
      const message: ToSandbox = { cairn: 1, type: 'run', runId, cellId, body, inputs: wire, thread, firstLineShift: firstLineShift(body, options.source) };
      try {
        this.#post(message, transfer);
      } catch (e) {
        this.#finish(run);
        reject(new SandboxError('error', cellId, `An input cannot be sent to the sandbox: ${errorMessage(e)}`));
      }
    });
  }

  /**
   * Stop a run. A Worker run is terminated inside the sandbox; a page run whose thread does
   * not answer within a moment is stuck in a loop: then every sandbox is rebuilt, since they
   * share that thread. Either way the iframe of a page run is torn down.
   */
  async #stop(run: PendingRun, kind: 'timeout' | 'cancelled', reason: string): Promise<void> {
    if (this.#pending !== run) return;
    this.#finish(run);
    const acked = new Promise<boolean>((resolve) => {
      run.cancelAck = () => resolve(true);
      setTimeout(() => resolve(false), CANCEL_GRACE_MS);
    });
    this.#pending = run; // to receive the cancel acknowledgement
    this.#post({ cairn: 1, type: 'cancel', runId: run.runId });
    const alive = await acked;
    if (this.#pending === run) this.#pending = null;
    if (!alive) recycleAll(this);
    else if (run.thread === 'main') this.rebuild();
    run.reject(new SandboxError(kind, run.cellId, reason));
  }

  /** Tell the owner its output was lost to a teardown caused by another sandbox. */
  notifyReset(): void {
    this.#options.onReset?.();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    live.delete(this);
    window.removeEventListener('message', this.#onMessage);
    this.#themeObserver.disconnect();
    const run = this.#pending;
    this.#pending = null;
    run?.cleanup();
    run?.reject(new SandboxError('cancelled', run.cellId, 'The sandbox was disposed.'));
    this.iframe.remove();
  }
}

/** Rebuild every sandbox: Chromium frees a stuck sandbox process only when none of its frames is left. */
function recycleAll(culprit: HostSandbox): void {
  const others = [...live].filter((s) => s !== culprit);
  for (const sandbox of live) sandbox.iframe.remove();
  culprit.rebuild();
  for (const sandbox of others) {
    sandbox.rebuild();
    sandbox.notifyReset();
  }
}

function isArrowTable(value: unknown): boolean {
  if (value instanceof Table) return true;
  // DuckDB-WASM nests its own apache-arrow copy: its Tables fail instanceof but have the same shape.
  const v = value as { numRows?: unknown; schema?: { fields?: unknown }; batches?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.numRows === 'number' && Array.isArray(v.schema?.fields) && Array.isArray(v.batches);
}

/** How many characters hoisted imports put before the source's own first line. */
function firstLineShift(body: string, source: string | undefined): number {
  if (source === undefined) return 0;
  const bodyFirst = body.split('\n', 1)[0];
  const sourceFirst = source.split('\n', 1)[0];
  return bodyFirst.endsWith(sourceFirst) ? bodyFirst.length - sourceFirst.length : 0;
}

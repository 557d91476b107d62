/**
 * The sandbox runtime: one self-contained script (bundled with apache-arrow, Plot and d3)
 * that runs both as the opaque-origin iframe's page script and as the Worker the page
 * starts from the same blob URL. The page talks to the host; cells that need no DOM run in
 * the Worker, which the page can terminate at once when one loops forever.
 */
import { cloneable, decodeInput, encodeValue, isNode, type Encoded } from './encode.js';
import { errorInfo, runCellBody } from './run-cell.js';
import type { FromSandbox, SandboxConsoleEntry, SandboxValue, ToSandbox } from '../protocol.js';

type RunMessage = Extract<ToSandbox, { type: 'run' }>;
type Post = (message: FromSandbox, transfer?: Transferable[]) => void;

const LEVELS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/** The run console output is attributed to: the latest one, since async callbacks outlive their run. */
let consoleRun = { runId: 0, started: 0 };

/** Send `console.*` calls to the host as well as to the devtools console. */
function captureConsole(post: Post): void {
  for (const level of LEVELS) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      original(...args);
      const entry: SandboxConsoleEntry = {
        level,
        args: args.map((a): SandboxValue => (typeof a === 'string' ? { kind: 'json', value: a } : encodeArg(a))),
        at: Math.round(performance.now() - consoleRun.started)
      };
      try {
        post({ cairn: 1, type: 'console', runId: consoleRun.runId, entry });
      } catch (e) {
        original('console capture failed', e);
      }
    };
  }
}

function encodeArg(value: unknown): SandboxValue {
  if (isNode(value)) return { kind: 'dom', description: (value as Node).nodeName };
  const encoded = encodeValue(value, false);
  return encoded.value.kind === 'json' ? { kind: 'json', value: cloneable(encoded.value.value) } : encoded.value;
}

function transferOf(message: FromSandbox): Transferable[] {
  return message.type === 'result' && message.value.kind === 'table' ? [message.value.ipc.buffer as ArrayBuffer] : [];
}

/** Run one cell here; resolves with the message to send (result or error). */
async function execute(run: RunMessage, onValue?: (value: unknown) => void): Promise<{ message: FromSandbox; transfer: Transferable[] }> {
  consoleRun = { runId: run.runId, started: performance.now() };
  try {
    const inputs = run.inputs.map((input) => ({ name: input.name, value: decodeInput(input) }));
    const value = await runCellBody(run.cellId, run.body, inputs);
    onValue?.(value);
    const encoded: Encoded = encodeValue(value);
    const message: FromSandbox = { cairn: 1, type: 'result', runId: run.runId, value: encoded.value, display: encoded.value.kind === 'dom' };
    return { message, transfer: encoded.transfer };
  } catch (error) {
    return { message: { cairn: 1, type: 'error', runId: run.runId, error: errorInfo(error, run.cellId, run.firstLineShift) }, transfer: [] };
  }
}

function reportUncaught(post: Post, error: unknown): void {
  const entry: SandboxConsoleEntry = {
    level: 'error',
    args: [{ kind: 'json', value: `Uncaught ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` }],
    at: Math.round(performance.now() - consoleRun.started)
  };
  post({ cairn: 1, type: 'console', runId: consoleRun.runId, entry });
}

// ---- In the Worker -------------------------------------------------------------------

function startWorker(): void {
  // The DOM lib has no worker scope type; this is the part of it used here.
  const scope = self as unknown as {
    postMessage(message: unknown, transfer: Transferable[]): void;
    addEventListener(type: 'message', listener: (event: MessageEvent<ToSandbox>) => void): void;
    addEventListener(type: 'unhandledrejection', listener: (event: PromiseRejectionEvent) => void): void;
  };
  const post: Post = (message, transfer = []) => scope.postMessage(message, transfer);
  captureConsole(post);
  scope.addEventListener('unhandledrejection', (e) => reportUncaught(post, e.reason));
  scope.addEventListener('message', async (event: MessageEvent<ToSandbox>) => {
    if (event.data.type !== 'run') return;
    const { message, transfer } = await execute(event.data);
    post(message, transfer);
  });
  post({ cairn: 1, type: 'ready' });
}

// ---- In the iframe's page --------------------------------------------------------------

function startPage(): void {
  const toHost: Post = (message, transfer = []) => parent.postMessage(message, '*', transfer);
  const out = document.getElementById('out') ?? document.body.appendChild(document.createElement('div'));
  const runtimeUrl = (globalThis as { __cairnRuntimeUrl?: string }).__cairnRuntimeUrl;
  captureConsole(toHost);
  addEventListener('error', (e) => reportUncaught(toHost, e.error ?? e.message));
  addEventListener('unhandledrejection', (e) => reportUncaught(toHost, e.reason));

  // One warm Worker; replaced after a cancel or a timeout so the next run starts at once.
  let worker: Worker | null = null;
  let workerRun: number | null = null;
  const spawn = (): Worker => {
    const w = new Worker(runtimeUrl!, { name: 'cairn-cell' });
    w.onmessage = (event: MessageEvent<FromSandbox>) => {
      const message = event.data;
      if (message.type === 'ready') return;
      if (message.type === 'result' || message.type === 'error') {
        if (message.runId !== workerRun) return;
        workerRun = null;
        show(null);
      }
      toHost(message, transferOf(message));
    };
    return w;
  };
  if (runtimeUrl) worker = spawn();

  let mainRun: number | null = null;
  const cancelled = new Set<number>();

  const show = (node: Node | null): void => {
    out.replaceChildren(...(node ? [node] : []));
    reportHeight();
  };
  let lastHeight = -1;
  const reportHeight = (): void => {
    const height = Math.ceil(out.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      toHost({ cairn: 1, type: 'height', height });
    }
  };
  new ResizeObserver(reportHeight).observe(out);

  addEventListener('message', async (event: MessageEvent<ToSandbox>) => {
    if (event.source !== parent) return;
    const message = event.data;
    if (message.type === 'style') {
      for (const [key, value] of Object.entries(message.style)) document.documentElement.style.setProperty(key, value);
    } else if (message.type === 'cancel') {
      if (workerRun === message.runId) {
        worker?.terminate();
        worker = spawn();
        workerRun = null;
      }
      if (mainRun === message.runId) cancelled.add(message.runId);
      toHost({ cairn: 1, type: 'cancelled', runId: message.runId });
    } else if (message.type === 'run') {
      if (message.thread === 'worker' && worker) {
        if (workerRun !== null) {
          // A newer run replaces one still going: the old one is abandoned mid-flight.
          worker.terminate();
          worker = spawn();
        }
        workerRun = message.runId;
        worker.postMessage(message, message.inputs.flatMap((i) => (i.kind === 'table' ? [i.ipc.buffer as ArrayBuffer] : [])));
        return;
      }
      mainRun = message.runId;
      let node: Node | null = null;
      const { message: reply, transfer } = await execute(message, (value) => {
        if (isNode(value)) node = value;
      });
      if (cancelled.delete(message.runId) || mainRun !== message.runId) return;
      mainRun = null;
      show(node);
      toHost(reply, transfer);
    }
  });
  toHost({ cairn: 1, type: 'ready' });
}

if (typeof document === 'undefined') startWorker();
else startPage();

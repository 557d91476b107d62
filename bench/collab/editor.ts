/**
 * Load-generator process (forked by index.ts): hosts several simulated editors, each a
 * stock y-websocket `WebsocketProvider` with its own Y.Doc, typing one character at a time
 * into the `source` Y.Text of one shared SQL cell, at its own cursor, as CodeMirror bound
 * with y-codemirror would. Every editor records when it inserted each of its characters
 * (by Yjs clock) and when it applied each character of the others; the orchestrator joins
 * the two into latencies.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import { cellsOf, insertCell } from '../../src/lib/doc/index.js';
import { monoMs, type EditorReport, type FromGenerator, type Load, type ToGenerator } from './ipc.js';

const CELL_NAME = 'bench';

/** Growable array of float64s (millions of receipts without a JS number array per value). */
class Floats {
  private data = new Float64Array(1024);
  length = 0;
  push(...values: number[]): void {
    if (this.length + values.length > this.data.length) {
      const next = new Float64Array(Math.max(this.data.length * 2, this.length + values.length));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    for (const v of values) this.data[this.length++] = v;
  }
  set(index: number, value: number): void {
    while (index >= this.length) this.push(NaN);
    this.data[index] = value;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** Counts, per local sender, how many local peers still have to apply each of its edits. */
type AckListener = (client: number, clock: number) => void;

class Editor {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly closes: number[] = [];
  private text: Y.Text | null = null;
  private lastClock = -1;
  private sendBase = -1;
  private readonly sendTimes = new Floats();
  private readonly receipts = new Floats();
  private counting = false;
  sent = 0;
  received = 0;
  // closed loop
  private stopped = false;
  private load: Load | null = null;
  private timer: NodeJS.Timeout | null = null;
  inflight = 0;
  private readonly recentSends: number[] = [];
  private pumpScheduled = false;

  constructor(wsBase: string, room: string, token: string | null, onReceive: AckListener) {
    this.provider = new WebsocketProvider(wsBase, room, this.doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      params: token ? { token } : {},
      disableBc: true
    });
    this.provider.on('connection-close', (event: CloseEvent | null) => {
      if (event) this.closes.push(event.code);
    });
    this.doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.local || !this.counting) return;
      const t = monoMs();
      tr.afterState.forEach((after, client) => {
        if (client === this.doc.clientID) return;
        for (let clock = tr.beforeState.get(client) ?? 0; clock < after; clock++) {
          this.receipts.push(client, clock, t);
          this.received++;
          onReceive(client, clock);
        }
      });
    });
  }

  get clientID(): number {
    return this.doc.clientID;
  }

  /** The shared cell's text, once this editor has it. */
  findText(): Y.Text | null {
    if (this.text) return this.text;
    for (const cell of cellsOf(this.doc).values()) {
      const source = cell.get('source');
      if (cell.get('name') === CELL_NAME && source instanceof Y.Text) this.text = source;
    }
    return this.text;
  }

  createCell(): void {
    insertCell(this.doc, { kind: 'sql', name: CELL_NAME, source: '' });
  }

  /** Insert one character after this editor's previous one (a random place the first time). */
  type(): void {
    const text = this.text!;
    let index: number;
    if (this.lastClock < 0) index = Math.floor(Math.random() * (text.length + 1));
    else {
      const rel = Y.createRelativePositionFromJSON({ item: { client: this.clientID, clock: this.lastClock } });
      const abs = Y.createAbsolutePositionFromRelativePosition(rel, this.doc);
      index = abs ? abs.index + 1 : text.length;
    }
    const clock = Y.getState(this.doc.store, this.clientID);
    if (this.sendBase < 0) this.sendBase = clock;
    this.sendTimes.set(clock - this.sendBase, monoMs());
    text.insert(index, String.fromCharCode(97 + (this.sent % 26)));
    this.lastClock = clock;
    this.sent++;
  }

  startCounting(): void {
    this.counting = true;
  }

  start(load: Load): void {
    this.load = load;
    if (load.kind === 'rate') {
      const interval = 1000 / load.opsPerSecond;
      // A random phase, so editors do not type in lockstep.
      this.timer = setTimeout(() => {
        this.type();
        this.timer = setInterval(() => this.type(), interval);
      }, Math.random() * interval);
    } else this.pump();
  }

  /** Closed loop: one of this editor's edits was applied by every local peer. */
  acked(): void {
    this.inflight--;
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
  }

  /** Closed loop: send while under the in-flight and per-second limits. */
  private pump(): void {
    const load = this.load;
    if (this.stopped || !load || load.kind !== 'closed') return;
    while (this.inflight < load.inflight) {
      const now = monoMs();
      while (this.recentSends.length > 0 && now - this.recentSends[0] >= 1000) this.recentSends.shift();
      if (this.recentSends.length >= load.maxPerSecond) {
        if (!this.timer) {
          this.timer = setTimeout(() => {
            this.timer = null;
            this.pump();
          }, 1000 - (now - this.recentSends[0]) + 1);
        }
        return;
      }
      this.recentSends.push(now);
      this.inflight++;
      this.type();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer);
      clearInterval(this.timer);
    }
    this.timer = null;
  }

  report(): EditorReport {
    return { clientID: this.clientID, sendBase: this.sendBase, sendTimes: this.sendTimes.toArray(), receipts: this.receipts.toArray(), closes: this.closes };
  }

  destroy(): void {
    this.stop();
    this.provider.destroy();
    this.doc.destroy();
  }
}

// Each WebsocketProvider adds a process 'exit' listener; dozens per process are expected.
process.setMaxListeners(0);

const editors: Editor[] = [];
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
/** Closed loop: the local sender of each clientID, and each of its edits' missing local receipts. */
const localSenders = new Map<number, Editor>();
const awaiting = new Map<number, Map<number, number>>();

function onReceive(client: number, clock: number): void {
  const sender = localSenders.get(client);
  if (!sender) return;
  const pending = awaiting.get(client)!;
  const left = (pending.get(clock) ?? editors.length - 1) - 1;
  if (left > 0) pending.set(clock, left);
  else {
    pending.delete(clock);
    sender.acked();
  }
}

function send(message: FromGenerator): void {
  process.send!(message);
}

async function waitUntil(pred: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function handle(message: ToGenerator): Promise<void> {
  switch (message.type) {
    case 'connect': {
      for (let i = 0; i < message.count; i++) editors.push(new Editor(message.wsBase, message.room, message.token, onReceive));
      await waitUntil(() => editors.every((e) => e.provider.synced), 'editors to sync');
      if (message.createCell) editors[0].createCell();
      await waitUntil(() => editors.every((e) => e.findText() !== null), 'the shared cell');
      for (const e of editors) {
        localSenders.set(e.clientID, e);
        awaiting.set(e.clientID, new Map());
        // From here on every transaction from elsewhere is typing, even before our own 'start'.
        e.startCounting();
      }
      send({ type: 'ready' });
      break;
    }
    case 'start':
      loopDelay.enable();
      for (const e of editors) e.start(message.load);
      break;
    case 'stop':
      loopDelay.disable();
      for (const e of editors) e.stop();
      break;
    case 'progress':
      send({ type: 'progress', sent: editors.reduce((n, e) => n + e.sent, 0), received: editors.reduce((n, e) => n + e.received, 0) });
      break;
    case 'report':
      send({
        type: 'report',
        editors: editors.map((e) => e.report()),
        loopDelay: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 }
      });
      break;
  }
}

process.on('message', (message: ToGenerator) => {
  handle(message).catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) }));
});
process.on('disconnect', () => {
  for (const e of editors) e.destroy();
  process.exit(0);
});

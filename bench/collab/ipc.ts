/**
 * What the orchestrator (index.ts) and the load-generator processes (editor.ts) say to each
 * other over the fork IPC channel, and the clock both sides time with.
 */

/**
 * Milliseconds on CLOCK_MONOTONIC (`process.hrtime`), which every process on the machine
 * shares, so a send time taken in one generator and a receipt time taken in another subtract.
 */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** How editors type once started. */
export type Load =
  /** Open loop: each editor inserts one character every 1000/opsPerSecond ms. */
  | { kind: 'rate'; opsPerSecond: number }
  /**
   * Closed loop: each editor keeps at most `inflight` of its edits unacknowledged, where an
   * edit is acknowledged once every other editor in the same generator process applied it;
   * never more than `maxPerSecond` sends in any sliding second (the server's flood limit).
   */
  | { kind: 'closed'; inflight: number; maxPerSecond: number };

export type ToGenerator =
  | {
      type: 'connect';
      wsBase: string;
      room: string;
      token: string | null;
      /** Editors this process hosts. */
      count: number;
      /** Whether this process's first editor creates the shared cell everyone types into. */
      createCell: boolean;
    }
  | { type: 'start'; load: Load }
  | { type: 'stop' }
  | { type: 'progress' }
  | { type: 'report' };

export interface EditorReport {
  clientID: number;
  /** Yjs clock of this editor's first timed insert; sendTimes[i] is the send time of clock sendBase + i. */
  sendBase: number;
  sendTimes: Float64Array;
  /** Receipts as flat triples: sender clientID, clock, receive time (monoMs). */
  receipts: Float64Array;
  /** Close codes of this editor's sockets (a flooding client is closed with 1008). */
  closes: number[];
}

/** Event-loop delay of a generator process while typing (ms): high means it is the bottleneck. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export type FromGenerator =
  | { type: 'ready' }
  | { type: 'progress'; sent: number; received: number }
  | { type: 'report'; editors: EditorReport[]; loopDelay: LoopDelay }
  | { type: 'error'; message: string };
